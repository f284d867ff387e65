//! `tygrad::optim` on quadratics whose iterates are known: SGD's in closed form, with and
//! without momentum, Nesterov's and Adam's first steps by hand, weight decay as an added
//! term of the loss, schedules, several parameters, and steps that allocate nothing.

use tygrad::optim::{Adam, CosineAnnealing, Optimizer, Sgd, StepDecay, Warmup};
use tygrad::prelude::*;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

/// The curvatures of the test quadratic `f(x) = Σ a_i x_i² / 2`, whose gradient is `a x`.
const CURVATURES: [f64; 3] = [0.5, 1.0, 4.0];
const START: [f64; 3] = [1.0, -2.0, 0.5];

/// Runs `steps` steps of `opt` on `f(x) = Σ a_i x_i² / 2` from `START`, returning every iterate.
fn trajectory(mut opt: impl Optimizer<f64>, steps: usize) -> Vec<[f64; 3]> {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from(START));
        let a = g.constant(Tensor::from(CURVATURES));
        let loss = (a * x * x).sum() * 0.5;
        let mut out = vec![START];
        for _ in 0..steps {
            g.zero_grad();
            loss.backward();
            opt.step(g);
            let v = x.value();
            out.push([v[0], v[1], v[2]]);
        }
        out
    })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() < 1e-300
}

#[test]
fn sgd_iterates_are_the_closed_form() {
    // x_k = (1 - lr a)^k x_0.
    let lr = 0.3;
    for (k, x) in trajectory(Sgd::new(lr), 60).iter().enumerate() {
        for i in 0..3 {
            let exact = (1.0 - lr * CURVATURES[i]).powi(k as i32) * START[i];
            assert!(
                close(x[i], exact, 1e-13),
                "step {k}, {i}: {} vs {exact}",
                x[i]
            );
        }
    }
}

#[test]
fn heavy_ball_iterates_are_the_closed_form() {
    // b_{k+1} = μ b_k + a x_k, x_{k+1} = x_k - lr b_{k+1} (b_0 = 0): x_k = c₊ λ₊^k + c₋ λ₋^k
    // with λ± the roots of λ² - (1 - lr a + μ) λ + μ = 0 (real and distinct here), c± from
    // x_0 and x_1 = (1 - lr a) x_0.
    let (lr, mu) = (0.05, 0.2);
    let xs = trajectory(Sgd::new(lr).momentum(mu), 80);
    for i in 0..3 {
        let a = CURVATURES[i];
        let trace = 1.0 - lr * a + mu;
        let disc = (trace * trace - 4.0 * mu).sqrt();
        assert!(disc > 0.0);
        let (l1, l2) = ((trace + disc) / 2.0, (trace - disc) / 2.0);
        let (x0, x1) = (START[i], (1.0 - lr * a) * START[i]);
        let c1 = (x1 - l2 * x0) / (l1 - l2);
        let c2 = x0 - c1;
        for (k, x) in xs.iter().enumerate() {
            let exact = c1 * l1.powi(k as i32) + c2 * l2.powi(k as i32);
            assert!(
                (x[i] - exact).abs() <= 1e-13 * x0.abs(),
                "step {k}, {i}: {} vs {exact}",
                x[i]
            );
        }
    }
}

#[test]
fn nesterov_first_steps_by_hand() {
    // One coordinate, a = 4, x_0 = 0.5, lr = 0.1, μ = 0.9:
    // g0 = 2, b1 = 2, d = 2 + 1.8 = 3.8, x1 = 0.5 - 0.38 = 0.12
    // g1 = 0.48, b2 = 1.8 + 0.48 = 2.28, d = 0.48 + 2.052 = 2.532, x2 = 0.12 - 0.2532 = -0.1332
    // g2 = -0.5328, b3 = 2.052 - 0.5328 = 1.5192, d = -0.5328 + 1.36728 = 0.83448,
    // x3 = -0.1332 - 0.083448 = -0.216648
    let xs = trajectory(Sgd::new(0.1).momentum(0.9).nesterov(), 3);
    let hand = [0.5, 0.12, -0.1332, -0.216648];
    for (x, h) in xs.iter().zip(hand) {
        assert!((x[2] - h).abs() < 1e-15, "{} vs {h}", x[2]);
    }
}

#[test]
fn weight_decay_is_an_added_quadratic() {
    // SGD with weight decay λ on f is SGD on f + λ |x|² / 2: curvatures a + λ.
    let (lr, wd) = (0.2, 0.25);
    let xs = trajectory(Sgd::new(lr).weight_decay(wd).momentum(0.5), 30);
    let reference = Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from(START));
        let a = g.constant(Tensor::from(CURVATURES.map(|a| a + wd)));
        let loss = (a * x * x).sum() * 0.5;
        let mut sgd = Sgd::new(lr).momentum(0.5);
        let mut out = vec![START];
        for _ in 0..30 {
            g.zero_grad();
            loss.backward();
            sgd.step(g);
            let v = x.value();
            out.push([v[0], v[1], v[2]]);
        }
        out
    });
    for (x, r) in xs.iter().zip(&reference) {
        for i in 0..3 {
            assert!((x[i] - r[i]).abs() < 1e-15, "{x:?} vs {r:?}");
        }
    }
}

#[test]
fn adam_first_steps_by_hand() {
    // x_0 = (1, -2, 0.5), gradient a x, lr = 0.1, β = (0.9, 0.999), ε = 1e-8, written out.
    let lr = 0.1;
    let xs = trajectory(Adam::new(lr), 3);
    for i in 0..3 {
        let a = CURVATURES[i];
        let (mut x, mut m, mut v) = (START[i], 0.0, 0.0);
        let mut p1 = 1.0;
        let mut p2 = 1.0;
        for (k, step) in xs.iter().enumerate().skip(1) {
            let g = a * x;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            p1 *= 0.9;
            p2 *= 0.999;
            x -= lr * (m / (1.0 - p1)) / ((v / (1.0 - p2)).sqrt() + 1e-8);
            assert!(
                (step[i] - x).abs() < 1e-15,
                "step {k}, {i}: {} vs {x}",
                step[i]
            );
        }
    }
    // The first step is lr · sign(g) up to ε: m̂ / sqrt(v̂) = g / |g|.
    assert!((xs[1][0] - 0.9).abs() < 1e-8 && (xs[1][1] + 1.9).abs() < 1e-8);
    // Step 2 for the first coordinate with the numbers in (x_1 = 0.9 up to ε's 2e-9):
    // g0 = 0.5, g1 = 0.45,
    // m = 0.045 + 0.045 = 0.09, v = 0.000249750 + 0.0002025 = 0.00045225 (exactly
    // 0.999 · 0.00025 + 0.001 · 0.2025), m̂ = 0.09 / 0.19, v̂ = 0.00045225 / 0.001999.
    let step2 = 0.9 - 0.1 * (0.09 / 0.19) / ((0.00045225f64 / 0.001999).sqrt() + 1e-8);
    assert!((xs[2][0] - step2).abs() < 1e-8, "{} vs {step2}", xs[2][0]);
}

#[test]
fn adamw_decays_before_the_adam_step() {
    let (lr, wd) = (0.05, 0.1);
    let xs = trajectory(Adam::adamw(lr, wd), 2);
    for i in 0..3 {
        let a = CURVATURES[i];
        let (mut x, mut m, mut v) = (START[i], 0.0, 0.0);
        for (t, step) in xs.iter().enumerate().skip(1) {
            let g = a * x;
            x *= 1.0 - lr * wd;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            let (c1, c2) = (1.0 - 0.9f64.powi(t as i32), 1.0 - 0.999f64.powi(t as i32));
            x -= lr * (m / c1) / ((v / c2).sqrt() + 1e-8);
            assert!((step[i] - x).abs() < 1e-15, "{} vs {x}", step[i]);
        }
    }
}

#[test]
fn adam_reaches_the_minimum_of_an_ill_conditioned_quadratic() {
    let last = *trajectory(Adam::new(0.05), 3000).last().unwrap();
    for x in last {
        assert!(x.abs() < 1e-6, "{last:?}");
    }
}

#[test]
fn schedules_set_each_steps_rate() {
    // x_{k+1} = (1 - lr_k a) x_k: the product of the factors.
    let schedule = StepDecay {
        lr: 0.4,
        gamma: 0.5,
        every: 3,
    };
    let xs = trajectory(Sgd::new(0.0).schedule(schedule), 10);
    let mut exact = START;
    for (k, x) in xs.iter().enumerate().skip(1) {
        let lr = 0.4 * 0.5f64.powi(((k - 1) / 3) as i32);
        for i in 0..3 {
            exact[i] *= 1.0 - lr * CURVATURES[i];
            assert!(close(x[i], exact[i], 1e-14), "{} vs {}", x[i], exact[i]);
        }
    }
    // A closure and a composed schedule drive Adam as well.
    let warm = Warmup {
        steps: 10,
        then: CosineAnnealing {
            lr: 0.05,
            min_lr: 0.0,
            period: 3000,
        },
    };
    let last = *trajectory(Adam::new(0.0).schedule(warm), 3000)
        .last()
        .unwrap();
    assert!(last.iter().all(|x| x.abs() < 1e-3), "{last:?}");
    let last = *trajectory(Sgd::new(0.0).schedule(|_t: usize| 0.2), 200)
        .last()
        .unwrap();
    assert!(last.iter().all(|x| x.abs() < 1e-8), "{last:?}");
}

#[test]
fn several_parameters_step_as_if_alone() {
    // Adam's state is per element: one optimizer over (w, b) takes the steps that separate
    // graphs with one optimizer each take.
    let together = Graph::with(|g| {
        let w = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
        let b = g.param(Tensor::<Rank1<3>>::from([-1.0, 0.5, 2.0]));
        let loss = w.square().sum() * 0.5 + (b * b * b * b).sum();
        let mut adam = Adam::new(0.01).betas(0.8, 0.99);
        for _ in 0..50 {
            g.zero_grad();
            loss.backward();
            adam.step(g);
        }
        (w.value(), b.value())
    });
    let w_alone = Graph::with(|g| {
        let w = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
        let loss = w.square().sum() * 0.5;
        let mut adam = Adam::new(0.01).betas(0.8, 0.99);
        for _ in 0..50 {
            g.zero_grad();
            loss.backward();
            adam.step(g);
        }
        w.value()
    });
    let b_alone = Graph::with(|g| {
        let b = g.param(Tensor::<Rank1<3>>::from([-1.0, 0.5, 2.0]));
        let loss = (b * b * b * b).sum();
        let mut adam = Adam::new(0.01).betas(0.8, 0.99);
        for _ in 0..50 {
            g.zero_grad();
            loss.backward();
            adam.step(g);
        }
        b.value()
    });
    assert_eq!(together.0, w_alone);
    assert_eq!(together.1, b_alone);
}

#[test]
fn f32_graphs_step_too() {
    Graph::<f32>::with(|g| {
        let x = g.param(Tensor::<Rank1<2>, f32>::from([2.0, -1.0]));
        let loss = (x * x).sum();
        let mut sgd = Sgd::new(0.1).momentum(0.5);
        for _ in 0..200 {
            g.zero_grad();
            loss.backward();
            sgd.step(g);
        }
        assert!(loss.item() < 1e-10);
        assert_eq!(Optimizer::<f32>::steps(&sgd), 200);
    });
}

#[test]
fn steps_allocate_nothing_after_the_first() {
    Graph::with(|g| {
        let w = g.param(Tensor::<Rank2<3, 2>>::from([
            [0.1, 0.2],
            [0.3, 0.4],
            [0.5, 0.6],
        ]));
        let x = g.constant(Tensor::<Rank2<2, 4>>::ones());
        let loss = w.matmul(x).tanh().square().mean();
        let mut adam = Adam::adamw(0.01, 0.01);
        let mut sgd = Sgd::new(0.01).momentum(0.9).nesterov().weight_decay(1e-4);
        g.zero_grad();
        loss.backward();
        adam.step(g);
        sgd.step(g);
        let count = allocations_during(|| {
            for _ in 0..100 {
                g.zero_grad();
                loss.backward();
                adam.step(g);
                sgd.step(g);
            }
        });
        assert_eq!(count, 0);
    });
}
