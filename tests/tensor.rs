//! Tests for the owned tensor type: construction, indexing, mapping, approx, printing and
//! nalgebra conversions.

use approx::{
    assert_abs_diff_eq, assert_abs_diff_ne, assert_relative_eq, assert_relative_ne, assert_ulps_eq,
    assert_ulps_ne,
};
use nalgebra::{SMatrix, SVector};
use tygrad::prelude::*;
use tygrad::tensor::ShapeError;

#[test]
fn rank0_from_scalar() {
    let t = Tensor::<Rank0>::from(27.0);
    assert_eq!(t.item(), 27.0);
    assert_eq!(t[[]], 27.0);
    assert_eq!(t.as_slice(), &[27.0]);
    assert_eq!(t.numel(), 1);
    assert!(t.shape().is_empty());
}

#[test]
fn rank1_from_array() {
    let t = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
    assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0]);
    assert_eq!(t[[2]], 3.0);
    assert_eq!(t.shape(), &[3]);
}

#[test]
fn rank2_from_nested_arrays_is_row_major() {
    let t = Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(t[[0, 2]], 3.0);
    assert_eq!(t[[1, 0]], 4.0);
    assert_eq!(t.shape(), &[2, 3]);
    assert_eq!(t.numel(), 6);
}

#[test]
fn rank3_from_nested_arrays_is_row_major() {
    let t = Tensor::<Rank3<2, 3, 2>>::from([
        [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]],
        [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]],
    ]);
    let expected: Vec<f64> = (0..12).map(f64::from).collect();
    assert_eq!(t.as_slice(), expected.as_slice());
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..2 {
                assert_eq!(t[[i, j, k]], (i * 6 + j * 2 + k) as f64);
            }
        }
    }
    assert_eq!(t.shape(), &[2, 3, 2]);
}

#[test]
fn rank4_from_nested_arrays_is_row_major() {
    let t = Tensor::<Rank4<2, 1, 2, 3>, i32>::from([
        [[[0, 1, 2], [3, 4, 5]]],
        [[[6, 7, 8], [9, 10, 11]]],
    ]);
    assert_eq!(t.as_slice(), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(t[[1, 0, 1, 2]], 11);
    assert_eq!(t[[1, 0, 0, 0]], 6);
    assert_eq!(t[[0, 0, 1, 0]], 3);
    assert_eq!(t.shape(), &[2, 1, 2, 3]);
}

#[test]
fn zeros_ones_full_default() {
    assert_eq!(Tensor::<Rank2<2, 2>>::zeros().as_slice(), &[0.0; 4]);
    assert_eq!(Tensor::<Rank2<2, 2>>::ones().as_slice(), &[1.0; 4]);
    assert_eq!(Tensor::<Rank3<1, 2, 2>>::full(4.5).as_slice(), &[4.5; 4]);
    assert_eq!(Tensor::<Rank1<3>, f32>::default().as_slice(), &[0.0f32; 3]);
    assert_eq!(Tensor::<Rank0, i64>::ones().item(), 1);
}

#[test]
fn from_slice_ok() {
    let t = Tensor::<Rank2<2, 3>>::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    assert_eq!(t[[1, 2]], 6.0);
    assert_eq!(t[[0, 1]], 2.0);
    assert_eq!(
        t,
        Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    );
}

#[test]
fn from_slice_wrong_length_is_an_error() {
    let err = Tensor::<Rank2<2, 3>>::from_slice(&[1.0; 5]).unwrap_err();
    assert_eq!(err.expected, 6);
    assert_eq!(err.found, 5);
    assert_eq!(
        err.to_string(),
        "a tensor of shape [2, 3] needs 6 elements, but the slice has 5"
    );
    let err = Tensor::<Rank1<2>>::from_slice(&[1.0, 2.0, 3.0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a tensor of shape [2] needs 2 elements, but the slice has 3"
    );
    let err = Tensor::<Rank0>::from_slice(&[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a tensor of shape [] needs 1 element, but the slice has 0"
    );
    // Usable as a boxed std error.
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().contains("needs 1 element"));
}

#[test]
fn from_vec_and_into_vec() {
    let t = Tensor::<Rank2<2, 2>>::from_vec(vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(t[[1, 0]], 3.0);
    assert_eq!(t.into_vec(), vec![1.0, 2.0, 3.0, 4.0]);
    let err: ShapeError = Tensor::<Rank2<2, 2>>::from_vec(vec![1.0; 7]).unwrap_err();
    assert_eq!((err.expected, err.found), (4, 7));
    assert_eq!(err.dims, &[2, 2]);
}

#[test]
fn from_fn_gets_multi_indices_in_row_major_order() {
    let t = Tensor::<Rank2<2, 3>>::from_fn(|[i, j]| (10 * i + j) as f64);
    assert_eq!(t.as_slice(), &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);

    let mut seen = Vec::new();
    let t = Tensor::<Rank3<2, 2, 3>, usize>::from_fn(|index| {
        seen.push(index);
        index[0] * 100 + index[1] * 10 + index[2]
    });
    assert_eq!(seen.len(), 12);
    assert_eq!(seen[0], [0, 0, 0]);
    assert_eq!(seen[1], [0, 0, 1]);
    assert_eq!(seen[3], [0, 1, 0]);
    assert_eq!(seen[6], [1, 0, 0]);
    assert_eq!(seen[11], [1, 1, 2]);
    assert_eq!(t[[1, 0, 2]], 102);
    assert_eq!(t[[0, 1, 1]], 11);

    let t = Tensor::<Rank4<2, 2, 2, 2>, usize>::from_fn(|[a, b, c, d]| 8 * a + 4 * b + 2 * c + d);
    assert_eq!(t.into_vec(), (0..16).collect::<Vec<_>>());

    let t = Tensor::<Rank1<4>, usize>::from_fn(|[i]| i * i);
    assert_eq!(t.as_slice(), &[0, 1, 4, 9]);

    let t = Tensor::<Rank0>::from_fn(|[]| 3.5);
    assert_eq!(t.item(), 3.5);
}

#[test]
fn indexing() {
    let mut v = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
    assert_eq!(v[0], 1.0);
    assert_eq!(v[2], 3.0);
    v[1] = 20.0;
    assert_eq!(v[[1]], 20.0);
    assert_eq!(v.as_slice(), &[1.0, 20.0, 3.0]);

    let mut m = Tensor::<Rank2<2, 3>>::zeros();
    m[[1, 2]] = 5.0;
    assert_eq!(m.as_slice(), &[0.0, 0.0, 0.0, 0.0, 0.0, 5.0]);
    assert_eq!(m.get([1, 2]), Some(&5.0));
    assert_eq!(m.get([0, 0]), Some(&0.0));
    assert_eq!(m.get([2, 0]), None);
    assert_eq!(m.get([0, 3]), None);
    *m.get_mut([0, 1]).unwrap() = 7.0;
    assert_eq!(m[[0, 1]], 7.0);
    assert!(m.get_mut([5, 5]).is_none());

    let s = Tensor::<Rank0>::from(2.0);
    assert_eq!(s.get([]), Some(&2.0));
}

#[test]
#[should_panic(expected = "out of bounds")]
fn usize_index_out_of_bounds_panics() {
    let v = Tensor::<Rank1<3>>::zeros();
    let _ = v[3];
}

#[test]
#[should_panic(expected = "out of bounds")]
fn multi_index_out_of_bounds_panics() {
    let m = Tensor::<Rank2<2, 3>>::zeros();
    let _ = m[[0, 3]];
}

#[test]
fn map_and_zip_map() {
    let a = Tensor::<Rank2<2, 2>>::from([[1.0, -2.0], [3.0, -4.0]]);
    assert_eq!(a.map(f64::abs).as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    let signs: Tensor<Rank2<2, 2>, bool> = a.map(|x| x > 0.0);
    assert_eq!(signs.as_slice(), &[true, false, true, false]);

    let b = Tensor::<Rank2<2, 2>>::from([[10.0, 20.0], [30.0, 40.0]]);
    let c = a.zip_map(&b, |x, y| x * y);
    assert_eq!(c, Tensor::from([[10.0, -40.0], [90.0, -160.0]]));
    let d: Tensor<Rank2<2, 2>, f64> = a.zip_map(&signs, |x, s| if s { x } else { 0.0 });
    assert_eq!(d.as_slice(), &[1.0, 0.0, 3.0, 0.0]);
}

#[test]
fn iteration() {
    let mut t = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(
        t.iter().copied().collect::<Vec<_>>(),
        vec![1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(t.iter().sum::<f64>(), 10.0);
    for x in t.iter_mut() {
        *x += 1.0;
    }
    let mut total = 0.0;
    for x in &t {
        total += x;
    }
    assert_eq!(total, 14.0);
}

#[test]
fn approx_equality() {
    let a = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
    let b = a.map(|x| x + 1e-14);
    assert_ne!(a, b);
    assert_relative_eq!(a, b, epsilon = 1e-12);
    assert_abs_diff_eq!(a, b, epsilon = 1e-12);
    assert_ulps_eq!(a, a.clone());
    // Default tolerances (machine epsilon) accept a one-ulp difference but not 1e-14.
    let next = a.map(|x| f64::from_bits(x.to_bits() + 1));
    assert_ne!(a, next);
    assert_relative_eq!(a, next);
    assert_ulps_eq!(a, next);
    assert_relative_ne!(a, b);

    // One element off is enough to differ.
    let mut c = a.clone();
    c[[1, 1]] = 4.001;
    assert_relative_ne!(a, c, epsilon = 1e-12);
    assert_abs_diff_ne!(a, c, epsilon = 1e-4);
    assert_abs_diff_eq!(a, c, epsilon = 1e-2);
    assert_ulps_ne!(a, c);
    assert_relative_eq!(a, c, max_relative = 1e-3);

    // f32 tensors use f32 tolerances.
    let x = Tensor::<Rank1<2>, f32>::from([0.1 + 0.2, 1.0]);
    let y = Tensor::<Rank1<2>, f32>::from([0.3, 1.0]);
    assert_relative_eq!(x, y, epsilon = 1e-6);
    assert_ulps_eq!(x, y, max_ulps = 1);
}

#[test]
fn display_is_pytorch_like() {
    let m = Tensor::<Rank2<2, 2>>::full(4.5);
    assert_eq!(
        m.to_string(),
        "tensor([[4.5000, 4.5000], [4.5000, 4.5000]])"
    );
    let v = Tensor::<Rank1<3>>::from([0.2, 2.0, 20.0]);
    assert_eq!(v.to_string(), "tensor([0.2000, 2.0000, 20.0000])");
    let s = Tensor::<Rank0>::from(27.0);
    assert_eq!(s.to_string(), "tensor(27.0000)");
    assert_eq!(format!("{v:.2}"), "tensor([0.20, 2.00, 20.00])");
    assert_eq!(format!("{s:.0}"), "tensor(27)");
    let n = Tensor::<Rank1<2>>::from([-1.5, 0.0]);
    assert_eq!(n.to_string(), "tensor([-1.5000, 0.0000])");
    let r3 = Tensor::<Rank3<2, 1, 2>>::from([[[1.0, 2.0]], [[3.0, 4.0]]]);
    assert_eq!(format!("{r3:.1}"), "tensor([[[1.0, 2.0]], [[3.0, 4.0]]])");
}

#[test]
fn nalgebra_matrix_round_trip_non_square() {
    // nalgebra's `new` takes row-major arguments; storage is column-major.
    let m = SMatrix::<f64, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    assert_eq!(m.as_slice(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let t = Tensor::<Rank2<2, 3>>::from(m);
    for i in 0..2 {
        for j in 0..3 {
            assert_eq!(t[[i, j]], m[(i, j)], "at ({i}, {j})");
        }
    }
    assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);

    let back = SMatrix::<f64, 2, 3>::from(t.clone());
    assert_eq!(back, m);
    assert_eq!(t.to_matrix(), m);

    // Tall matrix, starting from the tensor side.
    let t = Tensor::<Rank2<3, 2>>::from_fn(|[i, j]| (10 * i + j) as f64);
    let m: SMatrix<f64, 3, 2> = t.clone().into();
    for i in 0..3 {
        for j in 0..2 {
            assert_eq!(m[(i, j)], (10 * i + j) as f64);
        }
    }
    assert_eq!(Tensor::from(m), t);
}

#[test]
fn nalgebra_vector_round_trip() {
    let v = SVector::<f64, 3>::new(1.0, 2.0, 3.0);
    let t = Tensor::<Rank1<3>>::from(v);
    assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0]);
    assert_eq!(t[1], v[1]);
    assert_eq!(SVector::<f64, 3>::from(t.clone()), v);
    assert_eq!(t.to_vector(), v);
}
