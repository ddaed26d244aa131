//! Criterion benches `scenario/...`: the complete reissue flow in process (goal: at least 500
//! flows per second on one core), and the scenario parser.
#![allow(missing_docs)]

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use rutoken_conformance::client::ClientConfig;
use rutoken_conformance::report::Outcome;
use rutoken_conformance::scenario::load;
use rutoken_conformance::target::emulator;
use rutoken_sim::profile::DeviceProfile;

const HAPPY_PATH: &str = include_str!("../../scenarios/reissue-happy-path.yaml");

fn parse(c: &mut Criterion) {
    c.bench_function("scenario/parse_happy_path", |b| {
        b.iter(|| {
            load::parse(
                Path::new("reissue-happy-path.yaml"),
                std::hint::black_box(HAPPY_PATH),
            )
        })
    });
}

fn reissue_happy_path(c: &mut Criterion) {
    let Ok(scenario) = load::parse(Path::new("reissue-happy-path.yaml"), HAPPY_PATH) else {
        eprintln!("skipped: scenario/reissue_happy_path: the happy path does not parse");
        return;
    };
    let profile = DeviceProfile::default();
    let config = ClientConfig::from_profile(&profile);
    // One flow first: a bench of a failing flow would measure the wrong thing.
    let check = emulator::open(scenario.token.fixture, 1, &profile)
        .map(|mut t| rutoken_conformance::runner::run(&scenario, t.as_mut(), &config, 1).outcome);
    match check {
        Ok(Outcome::Passed) => {}
        Ok(other) => {
            eprintln!(
                "skipped: scenario/reissue_happy_path: the flow does not pass on the emulator: {other:?}"
            );
            return;
        }
        Err(e) => {
            eprintln!("skipped: scenario/reissue_happy_path: {e}");
            return;
        }
    }
    let mut seed = 0u64;
    c.bench_function("scenario/reissue_happy_path", |b| {
        b.iter(|| {
            seed += 1;
            let Ok(mut target) = emulator::open(scenario.token.fixture, seed, &profile) else {
                return;
            };
            let report = rutoken_conformance::runner::run(&scenario, target.as_mut(), &config, seed);
            std::hint::black_box(report.outcome);
        })
    });
}

criterion_group!(benches, parse, reissue_happy_path);
criterion_main!(benches);
