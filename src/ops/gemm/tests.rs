//! The packed product against a naive triple loop: every layout, sizes around each tile and
//! block edge, both float types, accumulate on and off, and every instruction set this CPU has.

use super::{Packed, Product, Strided, packed_gemm};
use pulp::Simd;

/// `rows x cols` numbers stored row-major, or as the transpose of such a buffer, or with a
/// gap after every row (a general stride).
fn layout<T: Packed>(data: &[T], rows: usize, cols: usize, form: usize) -> Strided<'_, T> {
    match form {
        0 => Strided::row_major(data, rows, cols),
        1 => Strided::transposed(data, cols, rows),
        _ => Strided {
            data,
            rows,
            cols,
            row_stride: 1,
            col_stride: rows + 3,
        },
    }
}

fn storage(rows: usize, cols: usize, form: usize) -> usize {
    if form == 2 {
        (rows + 3) * cols
    } else {
        rows * cols
    }
}

fn naive(a: Strided<'_, f64>, b: Strided<'_, f64>, out: &mut [f64], accumulate: bool) {
    let n = b.cols;
    for i in 0..a.rows {
        for j in 0..n {
            let mut sum = if accumulate { out[i * n + j] } else { 0.0 };
            for p in 0..a.cols {
                sum += a.data[i * a.row_stride + p * a.col_stride]
                    * b.data[p * b.row_stride + j * b.col_stride];
            }
            out[i * n + j] = sum;
        }
    }
}

/// Runs `product` on every `(m, k, n)` (past each tile's edge, and past each block: `k` past
/// 256, `n` past 1024, `m` past 96), layout pair and accumulate flag, and compares it with
/// the naive loop, in `f64` and (rounded to `f32`) in `f32`.
fn check_all(
    product: impl Fn(Strided<'_, f64>, Strided<'_, f64>, &mut [f64], bool),
    product32: impl Fn(Strided<'_, f32>, Strided<'_, f32>, &mut [f32], bool),
) {
    let sizes = [1, 5, 6, 7, 8, 9, 13, 16, 17, 31, 37];
    let shapes = sizes
        .iter()
        .flat_map(|&m| sizes.iter().map(move |&k| (m, k, 2 * k + 1)))
        .chain([(9, 260, 20), (7, 7, 1030), (97, 12, 9)]);
    for (m, k, n) in shapes {
        for form_a in 0..3 {
            for form_b in 0..3 {
                let a_data: Vec<f64> = (0..storage(m, k, form_a))
                    .map(|i| (0.37 * i as f64 + 0.11).sin())
                    .collect();
                let b_data: Vec<f64> = (0..storage(k, n, form_b))
                    .map(|i| (0.21 * i as f64 + 0.5).cos())
                    .collect();
                let (a, b) = (layout(&a_data, m, k, form_a), layout(&b_data, k, n, form_b));
                for accumulate in [false, true] {
                    let start: Vec<f64> = (0..m * n).map(|i| 0.01 * i as f64 - 1.0).collect();
                    let (mut got, mut want) = (start.clone(), start.clone());
                    product(a, b, &mut got, accumulate);
                    naive(a, b, &mut want, accumulate);
                    for (x, y) in got.iter().zip(&want) {
                        assert!(
                            (x - y).abs() <= 1e-12 * (1.0 + y.abs()),
                            "f64 {m}x{k}x{n} layouts {form_a},{form_b} accumulate {accumulate}: {x} against {y}"
                        );
                    }
                    let a32: Vec<f32> = a_data.iter().map(|&x| x as f32).collect();
                    let b32: Vec<f32> = b_data.iter().map(|&x| x as f32).collect();
                    let mut got32: Vec<f32> = start.iter().map(|&x| x as f32).collect();
                    product32(
                        layout(&a32, m, k, form_a),
                        layout(&b32, k, n, form_b),
                        &mut got32,
                        accumulate,
                    );
                    for (x, y) in got32.iter().zip(&want) {
                        let tolerance = 1e-5 * (1.0 + k as f64);
                        assert!(
                            (*x as f64 - y).abs() <= tolerance,
                            "f32 {m}x{k}x{n} layouts {form_a},{form_b}: {x} against {y}"
                        );
                    }
                }
            }
        }
    }
}

/// One product on the instruction set `simd`, with a buffer of its own.
fn on<S: Simd, T: Packed>(
    simd: S,
    a: Strided<'_, T>,
    b: Strided<'_, T>,
    out: &mut [T],
    accumulate: bool,
) {
    let buffer = &mut Vec::new();
    simd.vectorize(Product {
        a,
        b,
        out,
        accumulate,
        buffer,
    });
}

fn with<S: Simd + Copy>(simd: S) {
    check_all(
        |a, b, out, acc| on(simd, a, b, out, acc),
        |a, b, out, acc| on(simd, a, b, out, acc),
    );
}

#[test]
fn the_dispatched_product_matches_the_naive_loop() {
    check_all(packed_gemm::<f64>, packed_gemm::<f32>);
}

#[test]
fn the_plain_code_kernel_matches_the_naive_loop() {
    with(pulp::Scalar::new());
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[test]
fn the_avx2_kernel_matches_the_naive_loop() {
    if let Some(simd) = pulp::x86::V3::try_new() {
        with(simd);
    }
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[test]
fn the_avx512_kernel_matches_the_naive_loop() {
    if let Some(simd) = pulp::x86::V4::try_new() {
        with(simd);
    }
}

#[test]
fn a_product_reuses_its_threads_buffer() {
    let a: Vec<f64> = (0..64 * 64).map(|i| i as f64).collect();
    let mut out = vec![0.0; 64 * 64];
    let view = Strided::row_major(&a, 64, 64);
    packed_gemm(view, view, &mut out, false);
    let before = <f64 as Packed>::with_buffer(|buffer| (buffer.as_ptr(), buffer.len()));
    packed_gemm(view, view, &mut out, true);
    let after = <f64 as Packed>::with_buffer(|buffer| (buffer.as_ptr(), buffer.len()));
    assert_eq!(before, after);
    assert!(before.1 > 0);
}
