//! The pure costs behind a request: validating and scoring one report, ranking a country.
//! `cargo bench -p cchc-domain --bench scoring`

use criterion::{Criterion, black_box, criterion_group, criterion_main};

use cchc_domain::ranking::rank;
use cchc_domain::scoring::Scheme;
use cchc_domain::synthetic::{self, Profile};
use cchc_domain::validation::validate;
use cchc_domain::{Catalog, seed};

fn bench(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    let scheme = Scheme::builtin(&catalog);
    let raw = seed::dong_son_2024_06();
    let form = validate(&catalog, &raw).form;

    c.bench_function("validate the seed report", |b| b.iter(|| validate(&catalog, black_box(&raw))));
    c.bench_function("score one report (built-in scheme)", |b| b.iter(|| scheme.score(black_box(&form.values))));

    let mut rng = synthetic::rng(1);
    let scores: Vec<(String, Option<f64>)> = (0..10_000)
        .map(|i| {
            let v = synthetic::month(&Profile::random(&mut rng), 0, &mut rng);
            (format!("{:05}", i), (i % 37 != 0).then(|| scheme.score(&v).total))
        })
        .collect();
    c.bench_function("rank 10,000 communes", |b| b.iter(|| rank(black_box(scores.clone()), |s| s.1, |s| s.0.as_str())));
}

criterion_group!(benches, bench);
criterion_main!(benches);
