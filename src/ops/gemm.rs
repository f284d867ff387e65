//! The matrix product every linear-algebra op runs: `out (+)= a · b` over strided views.
//!
//! Tensors are row-major; a transpose is the same buffer with its strides swapped
//! ([`Strided::transposed`]), so no product copies its operands. Products of `f32`/`f64` whose
//! three sizes all exceed [`SMALL_DIM`] run the packed kernel below; every other product
//! (small ones, and all dual-number products) runs the plain loops of [`plain_product`].
//!
//! The packed kernel keeps its packing buffer per thread and float type, grown to the largest
//! product seen and never freed, so a replayed graph's products allocate nothing
//! (`matrixmultiply`, which ran them before, allocates its buffer inside every product). The
//! blocking is BLIS's: `k` in blocks of [`KC`], `b` packed into panels of `NR` columns, and a
//! micro-kernel that keeps an `MR x NR` tile of the output in registers. `a` is read where it
//! is when its rows or its columns are contiguous (the layouts the ops use), and packed
//! otherwise. SIMD comes from `pulp`, which picks AVX-512, AVX2+FMA or plain code when the
//! program runs, with no `unsafe` here.

use crate::scalar::{Elem, Float};
use pulp::{Simd, WithSimd};
use std::cell::RefCell;

/// Size at or below which a product runs the plain loops: there, packing costs more than it
/// saves.
const SMALL_DIM: usize = 5;
/// Depth of a block: how much of `k` one packed panel of `b` covers.
const KC: usize = 256;
/// Rows of `a` taken at a time (a multiple of every tile height).
const MC: usize = 96;
/// Columns of `b` packed at a time.
const NC: usize = 1024;
/// Vector registers per row of the tile: a tile is `MR x (REGS * lanes)`.
const REGS: usize = 2;

/// A borrowed matrix: `rows x cols` elements of `data` at `row * row_stride + col * col_stride`.
#[derive(Clone, Copy)]
pub struct Strided<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a, T> Strided<'a, T> {
    /// A row-major `rows x cols` buffer.
    pub(crate) fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        Strided {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose (`cols x rows`) of a row-major `rows x cols` buffer, without copying.
    pub(crate) fn transposed(data: &'a [T], rows: usize, cols: usize) -> Self {
        Strided {
            data,
            rows: cols,
            cols: rows,
            row_stride: 1,
            col_stride: cols,
        }
    }

    /// The transpose of this view: the same elements, strides swapped.
    fn t(self) -> Self {
        Strided {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// `out (+)= a · b` for a row-major `out` of `a.rows x b.cols`; `accumulate` keeps what `out`
/// held (a VJP adds into its input's adjoint), otherwise `out` is overwritten.
pub(crate) fn gemm<F: Float, T: Elem<F>>(
    a: Strided<'_, T>,
    b: Strided<'_, T>,
    out: &mut [T],
    accumulate: bool,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    debug_assert_eq!(b.rows, k);
    debug_assert_eq!(out.len(), m * n);
    let large = m > SMALL_DIM && k > SMALL_DIM && n > SMALL_DIM;
    if !(large && T::packed_product(a, b, out, accumulate)) {
        plain_product(a, b, out, accumulate);
    }
}

/// The plain loops, for small products and dual numbers.
fn plain_product<F: Float, T: Elem<F>>(
    a: Strided<'_, T>,
    b: Strided<'_, T>,
    out: &mut [T],
    accumulate: bool,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if !accumulate {
        out.fill(T::zero());
    }
    if m == 0 || n == 0 {
        return;
    }
    // Contiguous inner loops (no bounds checks, vectorizable) for the layouts the ops use.
    if b.col_stride == 1 {
        // Rows of `b` are contiguous: out[i, ..] += a[i, p] · b[p, ..].
        for (i, out_row) in out.chunks_exact_mut(n).enumerate() {
            for p in 0..k {
                let a_ip = a.data[i * a.row_stride + p * a.col_stride];
                let b_row = &b.data[p * b.row_stride..p * b.row_stride + n];
                for (o, &b_pj) in out_row.iter_mut().zip(b_row) {
                    *o += a_ip * b_pj;
                }
            }
        }
    } else if a.col_stride == 1 && b.row_stride == 1 {
        // Rows of `a` and columns of `b` are contiguous (`b` is a transposed buffer): one dot
        // product per entry.
        for (i, out_row) in out.chunks_exact_mut(n).enumerate() {
            let a_row = &a.data[i * a.row_stride..i * a.row_stride + k];
            for (j, o) in out_row.iter_mut().enumerate() {
                let b_col = &b.data[j * b.col_stride..j * b.col_stride + k];
                *o += a_row
                    .iter()
                    .zip(b_col)
                    .fold(T::zero(), |sum, (&x, &y)| sum + x * y);
            }
        }
    } else {
        for (i, out_row) in out.chunks_exact_mut(n).enumerate() {
            for p in 0..k {
                let a_ip = a.data[i * a.row_stride + p * a.col_stride];
                for (j, o) in out_row.iter_mut().enumerate() {
                    *o += a_ip * b.data[p * b.row_stride + j * b.col_stride];
                }
            }
        }
    }
}

/// The float types with a packed kernel, and the `pulp` operations the kernel needs of each.
pub(crate) trait Packed: Copy + Default + std::ops::Add<Output = Self> + 'static {
    /// A vector of this float for the instruction set `S`.
    type V<S: Simd>: Copy;
    /// `x` in every lane.
    fn splat<S: Simd>(simd: S, x: Self) -> Self::V<S>;
    /// `a * b + c`, fused where the instruction set has it.
    fn mul_add<S: Simd>(simd: S, a: Self::V<S>, b: Self::V<S>, c: Self::V<S>) -> Self::V<S>;
    /// `a + b`, lane by lane.
    fn add_lanes<S: Simd>(simd: S, a: Self::V<S>, b: Self::V<S>) -> Self::V<S>;
    /// The whole vectors at the front of `slice` (unaligned).
    fn vectors<S: Simd>(slice: &[Self]) -> &[Self::V<S>];
    /// The whole vectors at the front of `slice`, writable.
    fn vectors_mut<S: Simd>(slice: &mut [Self]) -> &mut [Self::V<S>];
    /// Runs `f` on this thread's packing buffer for this float type.
    fn with_buffer<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R;
}

macro_rules! packed {
    ($float:ty, $v:ident, $splat:ident, $fma:ident, $add:ident, $simd:ident, $simd_mut:ident, $buffer:ident) => {
        thread_local! {
            static $buffer: RefCell<Vec<$float>> = const { RefCell::new(Vec::new()) };
        }

        impl Packed for $float {
            type V<S: Simd> = S::$v;
            #[inline(always)]
            fn splat<S: Simd>(simd: S, x: Self) -> Self::V<S> {
                simd.$splat(x)
            }
            #[inline(always)]
            fn mul_add<S: Simd>(
                simd: S,
                a: Self::V<S>,
                b: Self::V<S>,
                c: Self::V<S>,
            ) -> Self::V<S> {
                simd.$fma(a, b, c)
            }
            #[inline(always)]
            fn add_lanes<S: Simd>(simd: S, a: Self::V<S>, b: Self::V<S>) -> Self::V<S> {
                simd.$add(a, b)
            }
            #[inline(always)]
            fn vectors<S: Simd>(slice: &[Self]) -> &[Self::V<S>] {
                S::$simd(slice).0
            }
            #[inline(always)]
            fn vectors_mut<S: Simd>(slice: &mut [Self]) -> &mut [Self::V<S>] {
                S::$simd_mut(slice).0
            }
            fn with_buffer<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R {
                $buffer.with(|buffer| match buffer.try_borrow_mut() {
                    Ok(mut buffer) => f(&mut buffer),
                    // A product never starts another, so this is not reached; if it were, a
                    // fresh buffer is right, only slower.
                    Err(_) => f(&mut Vec::new()),
                })
            }
        }
    };
}

packed!(
    f64,
    f64s,
    splat_f64s,
    mul_add_e_f64s,
    add_f64s,
    as_simd_f64s,
    as_mut_simd_f64s,
    PACK_F64
);
packed!(
    f32,
    f32s,
    splat_f32s,
    mul_add_e_f32s,
    add_f32s,
    as_simd_f32s,
    as_mut_simd_f32s,
    PACK_F32
);

/// `out (+)= a · b` by the packed kernel, on the best instruction set of this CPU.
pub(crate) fn packed_gemm<T: Packed>(
    a: Strided<'_, T>,
    b: Strided<'_, T>,
    out: &mut [T],
    accumulate: bool,
) {
    static ARCH: std::sync::OnceLock<pulp::Arch> = std::sync::OnceLock::new();
    let arch = *ARCH.get_or_init(pulp::Arch::new);
    T::with_buffer(|buffer| {
        arch.dispatch(Product {
            a,
            b,
            out,
            accumulate,
            buffer,
        })
    });
}

/// One product, run by `pulp` with the instruction set it chose.
pub(crate) struct Product<'a, 'b, T> {
    pub(crate) a: Strided<'a, T>,
    pub(crate) b: Strided<'a, T>,
    pub(crate) out: &'b mut [T],
    pub(crate) accumulate: bool,
    pub(crate) buffer: &'b mut Vec<T>,
}

impl<T: Packed> WithSimd for Product<'_, '_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Self::Output {
        // 32 vector registers (AVX-512) hold an 8 x 2 tile, 16 (AVX2) a 6 x 2 one.
        if std::mem::size_of::<T::V<S>>() >= 64 {
            self.run::<S, 8>(simd)
        } else {
            self.run::<S, 6>(simd)
        }
    }
}

impl<T: Packed> Product<'_, '_, T> {
    #[inline(always)]
    fn run<S: Simd, const MR: usize>(self, simd: S) {
        let Product {
            a,
            b,
            out,
            accumulate,
            buffer,
        } = self;
        let (m, k, n) = (a.rows, a.cols, b.cols);
        let nr = REGS * lanes::<S, T>();
        let kc_max = k.min(KC);
        let b_len = kc_max * n.min(NC).div_ceil(nr) * nr;
        let a_len = kc_max * m.min(MC).div_ceil(MR) * MR;
        if buffer.len() < a_len + b_len {
            buffer.resize(a_len + b_len, T::default());
        }
        let (b_pack, rest) = buffer.split_at_mut(b_len);
        let a_pack = &mut rest[..a_len];
        // Full panels of `a` are read where they are when its rows (or its columns) are
        // contiguous; the others are packed.
        let by_rows = a.col_stride == 1;
        let by_cols = !by_rows && a.row_stride == 1;
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            let b_panels = nc.div_ceil(nr);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                let keep = accumulate || pc > 0;
                pack_b(b, pc, kc, jc, nc, nr, &mut b_pack[..kc * b_panels * nr]);
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    let a_panels = &mut a_pack[..kc * mc.div_ceil(MR) * MR];
                    for (ir, panel) in a_panels.chunks_exact_mut(kc * MR).enumerate() {
                        let rows = MR.min(mc - ir * MR);
                        if !(by_rows || by_cols) || rows < MR {
                            pack_panel(a.t(), pc, kc, ic + ir * MR, rows, MR, panel);
                        }
                    }
                    let tile = Tile { n, keep };
                    for (jr, b_panel) in b_pack[..kc * b_panels * nr]
                        .chunks_exact(kc * nr)
                        .enumerate()
                    {
                        let col = jc + jr * nr;
                        let cols = nr.min(jc + nc - col);
                        let b_panel = T::vectors::<S>(b_panel);
                        for (ir, a_panel) in a_panels.chunks_exact(kc * MR).enumerate() {
                            let row = ic + ir * MR;
                            let rows = MR.min(ic + mc - row);
                            // Each arm writes its own tile: one shared tile variable would be
                            // kept in memory, not in registers.
                            if by_rows && rows == MR {
                                let a_rows: [&[T]; MR] = std::array::from_fn(|i| {
                                    let start = (row + i) * a.row_stride + pc;
                                    &a.data[start..start + kc]
                                });
                                let acc = kernel::<S, T, MR>(simd, kc, b_panel, |p| {
                                    std::array::from_fn(|i| a_rows[i][p])
                                });
                                tile.write(simd, &acc, out, row, rows, col, cols);
                            } else if by_cols && rows == MR {
                                let acc = kernel::<S, T, MR>(simd, kc, b_panel, |p| {
                                    let start = row + (pc + p) * a.col_stride;
                                    let a_line = &a.data[start..start + MR];
                                    std::array::from_fn(|i| a_line[i])
                                });
                                tile.write(simd, &acc, out, row, rows, col, cols);
                            } else {
                                let acc = kernel::<S, T, MR>(simd, kc, b_panel, |p| {
                                    let a_line = &a_panel[p * MR..p * MR + MR];
                                    std::array::from_fn(|i| a_line[i])
                                });
                                tile.write(simd, &acc, out, row, rows, col, cols);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Lanes of a vector of `T` for the instruction set `S`.
#[inline(always)]
fn lanes<S: Simd, T: Packed>() -> usize {
    std::mem::size_of::<T::V<S>>() / std::mem::size_of::<T>()
}

/// Packs `b[pc..pc + kc, jc..jc + nc]` into panels of `nr` columns.
#[inline(always)]
fn pack_b<T: Packed>(
    b: Strided<'_, T>,
    pc: usize,
    kc: usize,
    jc: usize,
    nc: usize,
    nr: usize,
    pack: &mut [T],
) {
    for (panel, chunk) in pack.chunks_exact_mut(kc * nr).enumerate() {
        let col0 = jc + panel * nr;
        pack_panel(b, pc, kc, col0, nr.min(jc + nc - col0), nr, chunk);
    }
}

/// Packs columns `col0..col0 + cols` of rows `pc..pc + kc` of `m` into one panel of `width`
/// columns, line `p` holding row `pc + p`, the columns past `cols` zero: a panel of `b`, or,
/// on `a`'s transpose, a panel of `a`'s rows. The loops follow `m`'s own order (rows or
/// columns), so that the inner loop reads contiguous memory.
#[inline(always)]
fn pack_panel<T: Packed>(
    m: Strided<'_, T>,
    pc: usize,
    kc: usize,
    col0: usize,
    cols: usize,
    width: usize,
    panel: &mut [T],
) {
    if cols < width {
        panel.fill(T::default());
    }
    if m.col_stride == 1 {
        for (p, line) in panel.chunks_exact_mut(width).enumerate() {
            let start = (pc + p) * m.row_stride + col0;
            line[..cols].copy_from_slice(&m.data[start..start + cols]);
        }
    } else if m.row_stride == 1 {
        for j in 0..cols {
            let start = (col0 + j) * m.col_stride + pc;
            for (line, &x) in panel
                .chunks_exact_mut(width)
                .zip(&m.data[start..start + kc])
            {
                line[j] = x;
            }
        }
    } else {
        for (p, line) in panel.chunks_exact_mut(width).enumerate() {
            for (j, x) in line[..cols].iter_mut().enumerate() {
                *x = m.data[(pc + p) * m.row_stride + (col0 + j) * m.col_stride];
            }
        }
    }
}

/// An `MR x (REGS * lanes)` tile of the output, in registers.
type Acc<S, T, const MR: usize> = [[<T as Packed>::V<S>; REGS]; MR];

/// A tile of `a · b_panel` over `kc` steps, `a_line(p)` giving column `p` of the tile's `MR`
/// rows of `a` (from a packed panel, or read in place).
#[inline(always)]
fn kernel<S: Simd, T: Packed, const MR: usize>(
    simd: S,
    kc: usize,
    b_panel: &[T::V<S>],
    a_line: impl Fn(usize) -> [T; MR],
) -> Acc<S, T, MR> {
    let mut acc = [[T::splat(simd, T::default()); REGS]; MR];
    for (p, b_line) in b_panel[..kc * REGS].chunks_exact(REGS).enumerate() {
        for (row, &a_i) in acc.iter_mut().zip(&a_line(p)) {
            let a_i = T::splat(simd, a_i);
            for (lane, &b) in row.iter_mut().zip(b_line) {
                *lane = T::mul_add(simd, a_i, b, *lane);
            }
        }
    }
    acc
}

/// Where tiles go: into a row-major output with `n` columns, stored on the first block of `k`
/// of an overwriting product (`keep` false), added otherwise.
#[derive(Clone, Copy)]
struct Tile {
    n: usize,
    keep: bool,
}

impl Tile {
    /// Writes the valid `rows x cols` part of `acc` at `(row, col)`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn write<S: Simd, T: Packed, const MR: usize>(
        self,
        simd: S,
        acc: &Acc<S, T, MR>,
        out: &mut [T],
        row: usize,
        rows: usize,
        col: usize,
        cols: usize,
    ) {
        let lanes = lanes::<S, T>();
        let nr = REGS * lanes;
        for (i, lane) in acc.iter().enumerate().take(rows) {
            let start = (row + i) * self.n + col;
            if cols == nr {
                let dst = T::vectors_mut::<S>(&mut out[start..start + nr]);
                for (d, &x) in dst.iter_mut().zip(lane) {
                    *d = if self.keep {
                        T::add_lanes(simd, *d, x)
                    } else {
                        x
                    };
                }
            } else {
                // A panel cut by the output's edge goes through a spill of the whole row (up
                // to two AVX-512 registers of `f32`).
                let mut spill = [T::default(); REGS * 16];
                for (r, &x) in lane.iter().enumerate() {
                    T::vectors_mut::<S>(&mut spill[r * lanes..(r + 1) * lanes])[0] = x;
                }
                for (o, &x) in out[start..start + cols].iter_mut().zip(&spill) {
                    *o = if self.keep { *o + x } else { x };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
