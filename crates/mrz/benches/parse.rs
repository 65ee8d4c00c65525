//! Parse + validate one MRZ (budget: < 5 µs), with the crates.io `mrz` crate
//! measured in the same run on the same specimens for comparison.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tdverify_mrz::{checks, parse, MrzDate};

const TD3: [&str; 2] = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];
const TD1: [&str; 3] = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];

fn bench(c: &mut Criterion) {
    let td3_text = TD3.join("\n");
    let td1_text = TD1.join("\n");
    let today = MrzDate::new(2026, 11, 25);

    let mut group = c.benchmark_group("mrz");
    group.bench_function("tdverify parse TD3", |b| b.iter(|| parse(black_box(&td3_text))));
    group.bench_function("tdverify parse+checks TD3", |b| {
        b.iter(|| {
            let mrz = parse(black_box(&td3_text)).ok();
            mrz.map(|mrz| checks(&mrz, today))
        })
    });
    let parsed = parse(&td3_text).ok();
    group.bench_function("tdverify checks only TD3", |b| b.iter(|| parsed.as_ref().map(|mrz| checks(black_box(mrz), today))));
    group.bench_function("tdverify parse+checks TD1", |b| {
        b.iter(|| {
            let mrz = parse(black_box(&td1_text)).ok();
            mrz.map(|mrz| checks(&mrz, today))
        })
    });
    group.bench_function("mrz crate parse_td3", |b| b.iter(|| mrz::parse_td3(black_box(TD3[0]), black_box(TD3[1]))));
    group.bench_function("mrz crate parse_td1", |b| {
        b.iter(|| mrz::parse_td1(black_box(TD1[0]), black_box(TD1[1]), black_box(TD1[2])))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
