//! `stack`, `unstack`, matrix element/row/column access, scalar-node arithmetic with tensors
//! and `sin_cos`: analytic values and gradients, every backward cross-checked against
//! forward mode (`Graph::with_checked`), and forward-mode Jacobians equal to reverse ones.

use tygrad::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[test]
fn stack_scalars_into_a_vector_and_back() {
    Graph::with_checked(|g| {
        let p = g.param(Tensor::<Rank1<5>>::from([1.0, 2.0, 3.0, 4.0, 5.0]));
        let [a, b, c, d, e] = p.unstack();
        // Five inputs: a tree of joins (odd counts carried up a level).
        let v = stack([e * 2.0, d * c, c, b.square(), a]);
        assert_eq!(v.grad_fn(), Some("StackBackward"));
        assert_eq!(v.value().as_slice(), &[10.0, 12.0, 3.0, 4.0, 1.0]);
        v.backward_with(&Tensor::from([1.0, 10.0, 100.0, 1000.0, 10000.0]));
        // d/da = 10000, d/db = 1000 * 2b, d/dc = 10 d + 100, d/dd = 10 c, d/de = 2.
        assert_eq!(p.grad().as_slice(), &[10000.0, 4000.0, 140.0, 30.0, 2.0]);
        let jf = v.jacobian_fwd(p);
        let jr = v.jacobian_rev(p);
        assert_eq!(jf.to_dmatrix(), jr.to_dmatrix());
        assert_eq!(jf[(1, 2)], 4.0);
        assert_eq!(jf[(1, 3)], 3.0);
    });
}

#[test]
fn stack_of_one_and_of_rows() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank0>::from(3.0));
        let one: Var<Rank1<1>> = stack([x]);
        assert_eq!(one.value().as_slice(), &[3.0]);
        let r = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let m = stack([r.node(), r * 3.0, r.square()]);
        assert_eq!(
            m.value(),
            Tensor::from([[1.0, 2.0], [3.0, 6.0], [1.0, 4.0]])
        );
        m.backward_with(&Tensor::from([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]));
        assert_eq!(r.grad().as_slice(), &[1.0 + 3.0 + 2.0, 1.0 + 3.0 + 4.0]);
        let [top, mid, bottom] = m.unstack();
        assert_eq!(mid.value().as_slice(), &[3.0, 6.0]);
        let y = (top * bottom).sum();
        assert_eq!(y.item(), 1.0 + 8.0);
        let j = m.jacobian_fwd(r);
        assert_eq!(j.to_dmatrix(), m.jacobian_rev(r).to_dmatrix());
        assert_eq!(j[(5, 1)], 4.0);
    });
}

#[test]
fn matrix_element_row_and_column_access() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<3, 4>>::from([
            [1.0, 2.0, 3.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [9.0, 10.0, 11.0, 12.0],
        ]));
        assert_eq!(x.get::<2, 1>().item(), 10.0);
        assert_eq!(x.row::<1>().value().as_slice(), &[5.0, 6.0, 7.0, 8.0]);
        assert_eq!(x.col::<3>().value().as_slice(), &[4.0, 8.0, 12.0]);
        let block = x.cols::<1, 2>();
        assert_eq!(
            block.value(),
            Tensor::from([[2.0, 3.0], [6.0, 7.0], [10.0, 11.0]])
        );
        let y = x.get::<0, 0>() * x.col::<3>().sum() + (block * block).sum();
        y.backward();
        let expected = [
            [4.0 + 8.0 + 12.0, 4.0, 6.0, 1.0],
            [0.0, 12.0, 14.0, 1.0],
            [0.0, 20.0, 22.0, 1.0],
        ];
        assert_eq!(x.grad(), Tensor::from(expected));
        let jf = y.jacobian_fwd(x);
        let jr = y.jacobian_rev(x);
        assert_eq!(jf.to_dmatrix(), jr.to_dmatrix());
    });
}

#[test]
fn scalar_node_with_tensor_node() {
    Graph::with_checked(|g| {
        let s = g.param(Tensor::<Rank0>::from(1.5));
        let m = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, -2.0], [3.0, 0.5]]));
        let y = (s.times(m) + s.plus(m) * s.minus(m) + m.minus_scalar(s).square()).sum();
        // sum over entries of s m + (s + m)(s - m) + (m - s)²
        let f = |s: f64, m: [f64; 4]| {
            m.iter()
                .map(|&x| s * x + (s + x) * (s - x) + (x - s) * (x - s))
                .sum::<f64>()
        };
        let ms = [1.0, -2.0, 3.0, 0.5];
        assert!(close(y.item(), f(1.5, ms)));
        y.backward();
        // d/ds = sum(x + 2 s - 2 (x - s)), d/dx = s - 2 x + 2 (x - s) = -s
        let ds: f64 = ms.iter().map(|&x| x + 3.0 - 2.0 * (x - 1.5)).sum();
        assert!(close(s.grad().item(), ds));
        assert_eq!(m.grad(), Tensor::full(-1.5));
        assert_eq!(s.times(m).grad_fn(), Some("MulScalarNodeBackward"));
        let jf = y.jacobian_fwd(s);
        assert!(close(jf[(0, 0)], ds));
        assert!(close(y.jacobian_fwd(m)[(0, 3)], -1.5));
    });
}

#[test]
fn sin_cos_values_gradients_and_second_derivatives() {
    Graph::with_checked(|g| {
        let q = g.param(Tensor::<Rank1<3>>::from([0.0, 0.7, -2.0]));
        let (s, c) = q.sin_cos();
        for (i, &x) in [0.0f64, 0.7, -2.0].iter().enumerate() {
            assert_eq!(s.value()[i], x.sin());
            assert_eq!(c.value()[i], x.cos());
        }
        let y = (s * c * 2.0).sum(); // sum sin 2q
        y.backward();
        for (i, &x) in [0.0f64, 0.7, -2.0].iter().enumerate() {
            assert!(close(q.grad()[i], 2.0 * (2.0 * x).cos()));
        }
        let h = y.hessian(q);
        assert!(close(h[(1, 1)], -4.0 * (1.4f64).sin()));
        assert_eq!(h[(0, 1)], 0.0);
        let hv = y.hvp(q, &Tensor::from([0.0, 1.0, 0.0]));
        assert!(close(hv[1], -4.0 * (1.4f64).sin()));
    });
}

#[test]
fn a_rotation_matrix_from_an_angle() {
    Graph::with_checked(|g| {
        let q = g.param(Tensor::<Rank0>::from(0.3));
        let (s, c) = q.sin_cos();
        let r = stack([stack([c, -s]), stack([s, c])]);
        let v = g.constant(Tensor::<Rank1<2>>::from([1.0, 0.0]));
        let p = r.matvec(v); // (cos q, sin q)
        assert_eq!(p.value().as_slice(), &[0.3f64.cos(), 0.3f64.sin()]);
        p.get::<1>().backward();
        assert!(close(q.grad().item(), 0.3f64.cos()));
    });
}

#[test]
fn head_tail_diff_and_pairs() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<4>>::from([1.0, 3.0, 6.0, 10.0]));
        assert_eq!(x.head::<3>().value().as_slice(), &[1.0, 3.0, 6.0]);
        assert_eq!(x.tail::<3>().value().as_slice(), &[3.0, 6.0, 10.0]);
        let d = x.diff();
        let d: Var<Rank1<3>> = d;
        assert_eq!(d.value().as_slice(), &[2.0, 3.0, 4.0]);
        assert_eq!(d.grad_fn(), Some("DiffBackward"));
        let (l, r) = x.pairs::<3>();
        let y = d.square().sum() + (l * r).sum();
        y.backward();
        // d/dx of sum (x[i+1] - x[i])² + sum x[i] x[i+1]
        let xs = [1.0, 3.0, 6.0, 10.0];
        let mut expected = [0.0; 4];
        for i in 0..3 {
            let di = xs[i + 1] - xs[i];
            expected[i] += -2.0 * di + xs[i + 1];
            expected[i + 1] += 2.0 * di + xs[i];
        }
        assert_eq!(x.grad().as_slice(), &expected);
        assert_eq!(
            y.jacobian_fwd(x).to_dmatrix(),
            y.jacobian_rev(x).to_dmatrix()
        );
        let h = y.hessian(x);
        assert_eq!((h[(0, 0)], h[(0, 1)], h[(1, 1)]), (2.0, -1.0, 4.0));
    });
}
