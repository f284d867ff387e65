//! Shapes as zero-sized types, and the type-level checks built on them.
//!
//! Shapes use const generics, so errors read "expected `3`, found `2`" and code written
//! generically over `const M: usize` needs no where-clauses for elementwise ops, reductions,
//! matmul and transpose. Checks that need arithmetic on dimensions (a reshape keeping the
//! element count) go through [`typenum`], so that `cargo check` and editors already reject
//! them; their traits carry `#[diagnostic::on_unimplemented]` messages written for people.

use std::fmt::Debug;
use std::ops::{Add, Mul};
use typenum::{
    B1, Const, Eq, IsEqual, IsLess, IsLessOrEqual, Le, LeEq, Prod, Sum, ToUInt, U, Unsigned,
};

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
    /// A multi-index into a tensor of this shape, outermost axis first (`[usize; RANK]`), so
    /// that generic code can build and walk indices without bounds of its own.
    type Index: Copy + Debug + Default + AsRef<[usize]> + AsMut<[usize]>;

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
pub trait ScalarShape: HessianOutput + HvpOutput {}
#[diagnostic::do_not_recommend]
impl ScalarShape for Rank0 {}

/// Marks the 0-d shape for [`Var::hessian`](crate::Var::hessian) and
/// [`Var::hessian2`](crate::Var::hessian2): second derivatives of a scalar function.
///
/// ```
/// use tygrad::prelude::*;
/// fn needs_scalar<S: HessianOutput>() {}
/// needs_scalar::<Rank0>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`hessian` needs a 0-d (scalar) output, but this output has shape `{Self}`",
    label = "the Hessian is that of a scalar function",
    note = "reduce the output to a scalar first (for example with `.sum()`, `.mean()` or `.dot(w)`),",
    note = "or take its first derivatives with `jacobian_fwd(x)` or `jacobian_rev(x)`"
)]
pub trait HessianOutput: Shape {}
#[diagnostic::do_not_recommend]
impl HessianOutput for Rank0 {}

/// Marks the 0-d shape for [`Var::hvp`](crate::Var::hvp) and
/// [`Var::hvp2`](crate::Var::hvp2): Hessian-vector products of a scalar function.
///
/// ```
/// use tygrad::prelude::*;
/// fn needs_scalar<S: HvpOutput>() {}
/// needs_scalar::<Rank0>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`hvp` needs a 0-d (scalar) output, but this output has shape `{Self}`",
    label = "a Hessian-vector product is that of a scalar function",
    note = "reduce the output to a scalar first (for example with `.sum()`, `.mean()` or `.dot(w)`),",
    note = "or take this output's directional derivative with `jvp(&[x.tangent(&v)])`"
)]
pub trait HvpOutput: Shape {}
#[diagnostic::do_not_recommend]
impl HvpOutput for Rank0 {}

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
    message = "cannot reshape `{Self}` into `{Target}`: the element counts differ, or are not known to be equal",
    label = "reshape target has a different number of elements",
    note = "a reshape must keep the number of elements: the product of the dims of `{Self}` and of `{Target}` must be equal",
    note = "if these dims are generic parameters, state the equality as a bound of the function: `where {Self}: SameNumel<{Target}>`"
)]
pub trait SameNumel<Target: Shape>: Shape {}

#[diagnostic::do_not_recommend]
impl<A, B> SameNumel<B> for A
where
    A: TypedNumel,
    B: TypedNumel,
    A::Numel: typenum::IsEqual<B::Numel>,
    typenum::Eq<A::Numel, B::Numel>: NumelFits<A, B>,
{
}

// How the bounds checks below report: each public trait (`SliceInBounds`, `IndexInBounds`,
// `ConcatLen`) has one blanket impl whose where-clause compares typenum numbers and asks the
// verdict (`B1` or `B0`) for a leaf trait implemented only for `B1`. Both impls are marked
// `#[diagnostic::do_not_recommend]`, so that rustc reports the public trait, with its message
// naming the shape and the numbers, rather than the typenum internals.

/// The verdict of the typenum comparison behind [`SliceInBounds`]: implemented only for
/// typenum's `B1` (true), so that a failed check names the slice and the axis length instead
/// of printing typenum's bit types.
#[diagnostic::on_unimplemented(
    message = "slice `{START}..{START} + {LEN}` is out of bounds for an axis of length {N}",
    label = "this slice needs `{START} + {LEN} <= {N}`",
    note = "`slice::<START, LEN>()` selects `LEN` elements starting at `START` along the first axis: `START + LEN` must be at most the axis length"
)]
pub trait SliceFits<const START: usize, const LEN: usize, const N: usize> {}
#[diagnostic::do_not_recommend]
impl<const START: usize, const LEN: usize, const N: usize> SliceFits<START, LEN, N> for B1 {}

/// `START..START + LEN` lies inside the first axis of `Self`, checked through typenum so that
/// `cargo check` rejects an out-of-bounds slice.
///
/// ```
/// use tygrad::prelude::*;
/// fn can_slice<S: SliceInBounds<START, LEN>, const START: usize, const LEN: usize>() {}
/// can_slice::<Rank1<5>, 1, 4>();
/// can_slice::<Rank2<3, 7>, 0, 3>();
/// ```
#[diagnostic::on_unimplemented(
    message = "slice `{START}..{START} + {LEN}` is out of bounds for `{Self}`",
    label = "`{START} + {LEN}` is larger than the first axis of `{Self}`",
    note = "`slice::<START, LEN>()` and `slice_rows::<START, LEN>()` select `LEN` elements (or rows) from index `START` on: `START + LEN` must be at most the length of the first axis"
)]
pub trait SliceInBounds<const START: usize, const LEN: usize>: Shape {}

#[diagnostic::do_not_recommend]
impl<const N: usize, const START: usize, const LEN: usize> SliceInBounds<START, LEN> for Rank1<N>
where
    Const<N>: ToUInt,
    Const<START>: ToUInt,
    Const<LEN>: ToUInt,
    U<START>: Add<U<LEN>>,
    Sum<U<START>, U<LEN>>: IsLessOrEqual<U<N>>,
    LeEq<Sum<U<START>, U<LEN>>, U<N>>: SliceFits<START, LEN, N>,
{
}

#[diagnostic::do_not_recommend]
impl<const M: usize, const N: usize, const START: usize, const LEN: usize> SliceInBounds<START, LEN>
    for Rank2<M, N>
where
    Const<M>: ToUInt,
    Const<START>: ToUInt,
    Const<LEN>: ToUInt,
    U<START>: Add<U<LEN>>,
    Sum<U<START>, U<LEN>>: IsLessOrEqual<U<M>>,
    LeEq<Sum<U<START>, U<LEN>>, U<M>>: SliceFits<START, LEN, M>,
{
}

/// The verdict of the typenum comparison behind [`IndexInBounds`] (implemented only for
/// typenum's `B1`, true), so that a failed check names the index and the length.
#[diagnostic::on_unimplemented(
    message = "index {I} is out of bounds for an axis of length {N}",
    label = "this index needs `{I} < {N}`",
    note = "`get::<I>()` selects element `I` of a vector: `I` must be less than its length"
)]
pub trait IndexFits<const I: usize, const N: usize> {}
#[diagnostic::do_not_recommend]
impl<const I: usize, const N: usize> IndexFits<I, N> for B1 {}

/// Index `I` lies inside the first axis of `Self`, checked through typenum so that
/// `cargo check` rejects an out-of-bounds index.
///
/// ```
/// use tygrad::prelude::*;
/// fn can_index<S: IndexInBounds<I>, const I: usize>() {}
/// can_index::<Rank1<3>, 2>();
/// ```
#[diagnostic::on_unimplemented(
    message = "index {I} is out of bounds for `{Self}`",
    label = "index {I} is past the end of `{Self}`",
    note = "indices start at 0: `get::<I>()` needs `I` less than the length"
)]
pub trait IndexInBounds<const I: usize>: Shape {}

#[diagnostic::do_not_recommend]
impl<const N: usize, const I: usize> IndexInBounds<I> for Rank1<N>
where
    Const<N>: ToUInt,
    Const<I>: ToUInt,
    U<I>: IsLess<U<N>>,
    Le<U<I>, U<N>>: IndexFits<I, N>,
{
}

/// The verdict of the typenum comparison behind [`ConcatLen`] (implemented only for typenum's
/// `B1`, true), so that a failed check names the three lengths.
#[diagnostic::on_unimplemented(
    message = "concatenating vectors of lengths {A} and {B} gives length {A} + {B}, not {C}",
    label = "this concatenation needs `{A} + {B} == {C}`",
    note = "the result's length is the sum of the two input lengths; fix the annotated result type"
)]
pub trait ConcatFits<const A: usize, const B: usize, const C: usize> {}
#[diagnostic::do_not_recommend]
impl<const A: usize, const B: usize, const C: usize> ConcatFits<A, B, C> for B1 {}

/// Concatenating `Self` (a `Rank1<A>`) with a `Rank1<B>` gives a `Rank1<C>`: `A + B == C`,
/// checked through typenum so that `cargo check` rejects a wrong result length.
///
/// ```
/// use tygrad::prelude::*;
/// fn can_concat<S: ConcatLen<B, C>, const B: usize, const C: usize>() {}
/// can_concat::<Rank1<2>, 3, 5>();
/// ```
#[diagnostic::on_unimplemented(
    message = "cannot concatenate `{Self}` and `Rank1<{B}>` into `Rank1<{C}>`: the lengths do not add up",
    label = "the result's length must be the sum of the two lengths",
    note = "annotate the result as `Rank1<A + B>` with the sum written out, or let it be inferred"
)]
pub trait ConcatLen<const B: usize, const C: usize>: Shape {}

#[diagnostic::do_not_recommend]
impl<const A: usize, const B: usize, const C: usize> ConcatLen<B, C> for Rank1<A>
where
    Const<A>: ToUInt,
    Const<B>: ToUInt,
    Const<C>: ToUInt,
    U<A>: Add<U<B>>,
    Sum<U<A>, U<B>>: IsEqual<U<C>>,
    Eq<Sum<U<A>, U<B>>, U<C>>: ConcatFits<A, B, C>,
{
}

/// A shape whose values can be stacked along a new first axis: `N` of them make a
/// `Self::Stacked<N>` (scalars a vector, vectors the rows of a matrix, matrices a `Rank3`).
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::shape::Stack;
/// fn rows_of<S: Stack>() -> &'static [usize] { <S::Stacked<2> as Shape>::DIMS }
/// assert_eq!(rows_of::<Rank1<3>>(), &[2, 3]);
/// ```
pub trait Stack: Shape {
    /// The shape of `N` values of this shape, stacked.
    type Stacked<const N: usize>: Shape;
}

impl Stack for Rank0 {
    type Stacked<const N: usize> = Rank1<N>;
}

impl<const C: usize> Stack for Rank1<C> {
    type Stacked<const N: usize> = Rank2<N, C>;
}

impl<const R: usize, const C: usize> Stack for Rank2<R, C> {
    type Stacked<const N: usize> = Rank3<N, R, C>;
}

/// `Self` and `Rhs` are one shape: the bound of the elementwise operators `+ - * /` between
/// nodes (and tensors), so that operands of two shapes get one message naming both.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::shape::SameShape;
/// fn same<A: SameShape<B>, B: Shape>() {}
/// same::<Rank2<2, 3>, Rank2<2, 3>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "elementwise operands must have one shape, but the left one is `{Self}` and the right one `{Rhs}`; to repeat one of them, use `broadcast`, `broadcast_rows`, `broadcast_cols`, `add_row` or a scalar node's `times`/`plus`/`minus`",
    label = "`{Self}` and `{Rhs}` are different shapes"
)]
pub trait SameShape<Rhs: Shape>: Shape {}

#[diagnostic::do_not_recommend]
impl<S: Shape> SameShape<S> for S {}

/// The verdict of the typenum comparison behind [`OneShorter`] (implemented only for
/// typenum's `B1`, true), so that a failed check names both lengths.
#[diagnostic::on_unimplemented(
    message = "a vector of length {N} has {N} - 1 neighbour pairs, not {M}",
    label = "this needs `{M} + 1 == {N}`",
    note = "the shorter length is the vector's length minus one: write it with the number filled in"
)]
pub trait OneShorterFits<const M: usize, const N: usize> {}
#[diagnostic::do_not_recommend]
impl<const M: usize, const N: usize> OneShorterFits<M, N> for B1 {}

/// `Rank1<M>` is one element shorter than `Self` (a `Rank1<N>` with `M + 1 == N`), checked
/// through typenum: the stable spelling of `N - 1` in generic code, for neighbour terms
/// ([`Var::diff`](crate::Var::diff), [`Var::pairs`](crate::Var::pairs)). A wrong `M` does
/// not compile.
///
/// ```
/// use tygrad::prelude::*;
/// fn neighbours<S: OneShorter<M>, const M: usize>() {}
/// neighbours::<Rank1<5>, 4>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`Rank1<{M}>` is not one element shorter than `{Self}`",
    label = "`diff` and `pairs` of a `Rank1<N>` give a `Rank1<M>` with `M + 1 == N`",
    note = "in generic code, write `where Rank1<N>: OneShorter<M>` and call with `M = N - 1` filled in"
)]
pub trait OneShorter<const M: usize>: Shape {}

#[diagnostic::do_not_recommend]
impl<const N: usize, const M: usize> OneShorter<M> for Rank1<N>
where
    Const<N>: ToUInt,
    Const<M>: ToUInt,
    U<M>: Add<typenum::U1>,
    Sum<U<M>, typenum::U1>: IsEqual<U<N>>,
    Eq<Sum<U<M>, typenum::U1>, U<N>>: OneShorterFits<M, N>,
{
}
