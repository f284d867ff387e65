//! Shapes as zero-sized types, and the type-level checks built on them.
//!
//! Shapes use const generics, so errors read "expected `3`, found `2`" and code written
//! generically over `const M: usize` needs no where-clauses for elementwise ops, reductions,
//! matmul and transpose. Checks that need arithmetic on dimensions (a reshape keeping the
//! element count) go through [`typenum`], so that `cargo check` and editors already reject
//! them; their traits carry `#[diagnostic::on_unimplemented]` messages written for people.

use std::fmt::Debug;
use std::ops::Mul;
use typenum::{Const, Prod, ToUInt, Unsigned, U};

/// A tensor shape known at compile time.
///
/// ```
/// use tygrad::prelude::*;
/// assert_eq!(<Rank2<2, 3>>::NUMEL, 6);
/// assert_eq!(<Rank2<2, 3>>::DIMS, &[2, 3]);
/// assert_eq!(<Rank0>::RANK, 0);
/// ```
pub trait Shape: Copy + Default + Debug + Send + Sync + 'static {
    /// Number of axes.
    const RANK: usize;
    /// Number of elements (the product of the dims; 1 for a scalar).
    const NUMEL: usize;
    /// The dims, outermost first.
    const DIMS: &'static [usize];
    /// A multi-index into a tensor of this shape, outermost axis first.
    type Index: Copy + Debug;

    /// The row-major flat position of `index`, or `None` if any coordinate is out of range.
    fn flat_index(index: Self::Index) -> Option<usize>;
}

/// A 0-d (scalar) shape.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank0>::from(27.0);
/// assert_eq!(t.item(), 27.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rank0;

/// A vector of `N` elements.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]);
/// assert_eq!(t[[1]], 2.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rank1<const N: usize>;

/// An `M x N` matrix, stored row-major.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(t[[1, 0]], 3.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rank2<const M: usize, const N: usize>;

/// A rank-3 shape `A x B x C`, stored row-major.
///
/// ```
/// use tygrad::prelude::*;
/// assert_eq!(<Rank3<2, 3, 4>>::NUMEL, 24);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rank3<const A: usize, const B: usize, const C: usize>;

/// A rank-4 shape `A x B x C x D`, stored row-major.
///
/// ```
/// use tygrad::prelude::*;
/// assert_eq!(<Rank4<2, 3, 4, 5>>::DIMS, &[2, 3, 4, 5]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rank4<const A: usize, const B: usize, const C: usize, const D: usize>;

/// Row-major flattening of a multi-index; `None` when a coordinate is out of range.
fn row_major(index: &[usize], dims: &[usize]) -> Option<usize> {
    let mut flat = 0;
    for (&i, &d) in index.iter().zip(dims) {
        if i >= d {
            return None;
        }
        flat = flat * d + i;
    }
    Some(flat)
}

impl Shape for Rank0 {
    const RANK: usize = 0;
    const NUMEL: usize = 1;
    const DIMS: &'static [usize] = &[];
    type Index = [usize; 0];
    fn flat_index(_: [usize; 0]) -> Option<usize> {
        Some(0)
    }
}

macro_rules! impl_shape {
    ($name:ident, $rank:literal, $($d:ident),+) => {
        impl<$(const $d: usize),+> Shape for $name<$($d),+> {
            const RANK: usize = $rank;
            const NUMEL: usize = 1 $(* $d)+;
            const DIMS: &'static [usize] = &[$($d),+];
            type Index = [usize; $rank];
            fn flat_index(index: [usize; $rank]) -> Option<usize> {
                row_major(&index, Self::DIMS)
            }
        }
    };
}
impl_shape!(Rank1, 1, N);
impl_shape!(Rank2, 2, M, N);
impl_shape!(Rank3, 3, A, B, C);
impl_shape!(Rank4, 4, A, B, C, D);

/// Marks the 0-d shape: the only one on which `backward()` needs no seed.
///
/// ```
/// use tygrad::prelude::*;
/// fn needs_scalar<S: ScalarShape>() {}
/// needs_scalar::<Rank0>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`backward()` needs a 0-d (scalar) output, but this output has shape `{Self}`",
    label = "this output is not a scalar",
    note = "reduce the output to a scalar first (for example with `.sum()` or `.mean()`),",
    note = "or call `backward_with(&seed)` with a seed `Tensor<{Self}>` to get the vector-Jacobian product"
)]
pub trait ScalarShape: Shape {}
impl ScalarShape for Rank0 {}

/// A shape whose element count is known as a [`typenum`] number, so that type-level
/// arithmetic (reshape, concat, slice bounds) can be checked by `cargo check`.
///
/// Implemented for every shape whose dims are within typenum's const-generic mappings
/// (0 to 1024, and larger powers of two and round numbers); see [`typenum::ToUInt`].
///
/// ```
/// use tygrad::prelude::*;
/// use typenum::Unsigned;
/// assert_eq!(<<Rank2<4, 5> as TypedNumel>::Numel as Unsigned>::USIZE, 20);
/// ```
pub trait TypedNumel: Shape {
    /// The element count as a typenum unsigned integer.
    type Numel: Unsigned;
}

impl TypedNumel for Rank0 {
    type Numel = typenum::U1;
}

impl<const N: usize> TypedNumel for Rank1<N>
where
    Const<N>: ToUInt,
    U<N>: Unsigned,
{
    type Numel = U<N>;
}

impl<const M: usize, const N: usize> TypedNumel for Rank2<M, N>
where
    Const<M>: ToUInt,
    Const<N>: ToUInt,
    U<M>: Mul<U<N>>,
    Prod<U<M>, U<N>>: Unsigned,
{
    type Numel = Prod<U<M>, U<N>>;
}

impl<const A: usize, const B: usize, const C: usize> TypedNumel for Rank3<A, B, C>
where
    Rank2<A, B>: TypedNumel,
    Const<C>: ToUInt,
    <Rank2<A, B> as TypedNumel>::Numel: Mul<U<C>>,
    Prod<<Rank2<A, B> as TypedNumel>::Numel, U<C>>: Unsigned,
{
    type Numel = Prod<<Rank2<A, B> as TypedNumel>::Numel, U<C>>;
}

impl<const A: usize, const B: usize, const C: usize, const D: usize> TypedNumel
    for Rank4<A, B, C, D>
where
    Rank3<A, B, C>: TypedNumel,
    Const<D>: ToUInt,
    <Rank3<A, B, C> as TypedNumel>::Numel: Mul<U<D>>,
    Prod<<Rank3<A, B, C> as TypedNumel>::Numel, U<D>>: Unsigned,
{
    type Numel = Prod<<Rank3<A, B, C> as TypedNumel>::Numel, U<D>>;
}

/// The verdict of the typenum comparison behind [`SameNumel`]: implemented only for typenum's
/// `B1` (true), so that a failed check names the two shapes instead of printing typenum's
/// binary numbers.
#[diagnostic::on_unimplemented(
    message = "cannot reshape `{From}` into `{To}`: the element counts differ",
    label = "`{From}` and `{To}` have different numbers of elements",
    note = "a reshape keeps every element: the product of the dims of `{From}` must equal that of `{To}`"
)]
pub trait NumelFits<From, To> {}
#[diagnostic::do_not_recommend]
impl<From, To> NumelFits<From, To> for typenum::B1 {}

/// `Self` and `Target` have the same number of elements, checked at type level so that
/// `cargo check` rejects a reshape that changes the element count.
///
/// ```
/// use tygrad::prelude::*;
/// fn can_reshape<A: SameNumel<B>, B: Shape>() {}
/// can_reshape::<Rank2<2, 3>, Rank1<6>>();
/// can_reshape::<Rank3<2, 3, 4>, Rank2<4, 6>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "cannot reshape `{Self}` into `{Target}`: the element counts differ",
    label = "reshape target has a different number of elements",
    note = "a reshape must keep the number of elements: the product of the dims of `{Self}` and of `{Target}` must be equal"
)]
pub trait SameNumel<Target: Shape>: Shape {}

impl<A, B> SameNumel<B> for A
where
    A: TypedNumel,
    B: TypedNumel,
    A::Numel: typenum::IsEqual<B::Numel>,
    typenum::Eq<A::Numel, B::Numel>: NumelFits<A, B>,
{
}
