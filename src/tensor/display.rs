//! Printing tensors: `Debug` with the dims, and a PyTorch-like `Display` as nested
//! brackets.

use super::Tensor;
use crate::shape::Shape;
use std::fmt;

impl<S: Shape, T: fmt::Debug> fmt::Debug for Tensor<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor<{:?}>({:?})", S::DIMS, self.data)
    }
}

/// Writes `data` (of the given dims) as nested brackets, each element formatted by `elem`.
fn write_nested<T>(
    f: &mut fmt::Formatter<'_>,
    data: &[T],
    dims: &[usize],
    elem: &dyn Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    match dims.split_first() {
        None => elem(f, &data[0]),
        Some((&n, rest)) => {
            let stride: usize = rest.iter().product();
            write!(f, "[")?;
            for i in 0..n {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write_nested(f, &data[i * stride..(i + 1) * stride], rest, elem)?;
            }
            write!(f, "]")
        }
    }
}

/// Prints like PyTorch: `tensor([[4.5000, 4.5000], [4.5000, 4.5000]])`, four decimals unless
/// a precision is given (`{:.2}`).
impl<S: Shape, T: fmt::Display> fmt::Display for Tensor<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(4);
        write!(f, "tensor(")?;
        write_nested(f, &self.data, S::DIMS, &|f, x| write!(f, "{x:.precision$}"))?;
        write!(f, ")")
    }
}
