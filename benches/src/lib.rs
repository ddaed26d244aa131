//! Benchmarks live in `benches/`; this library holds what they share: the CPU time of the
//! calling thread, so that a figure means the same on a machine shared with other work.

use std::time::Duration;

/// The time the calling thread has spent on a CPU so far: the first field of
/// `/proc/thread-self/schedstat` (nanoseconds, Linux `Documentation/scheduler/sched-stats.rst`).
/// `None` where the file is missing (not Linux, or a kernel without schedstats).
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `f` `n` times and returns the thread CPU time of one run on average, or why not.
/// Criterion's wall-clock figures include the time other processes hold the CPU; this does not.
pub fn cpu_time_per_run(n: u32, mut f: impl FnMut()) -> Result<Duration, &'static str> {
    let start = thread_cpu_time().ok_or("no /proc/thread-self/schedstat on this machine")?;
    for _ in 0..n {
        f();
    }
    let end = thread_cpu_time().ok_or("/proc/thread-self/schedstat went away")?;
    if n == 0 {
        return Err("no runs");
    }
    Ok(end.saturating_sub(start) / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work_and_not_with_sleep() {
        let Some(before) = thread_cpu_time() else {
            eprintln!("skipped: no /proc/thread-self/schedstat on this machine");
            return;
        };
        std::thread::sleep(Duration::from_millis(50));
        let slept = thread_cpu_time().unwrap_or_default().saturating_sub(before);
        assert!(slept < Duration::from_millis(25), "asleep for {slept:?}");
        let busy = cpu_time_per_run(1, || {
            let until = std::time::Instant::now() + Duration::from_millis(30);
            while std::time::Instant::now() < until {
                std::hint::black_box(0u64);
            }
        })
        .unwrap_or_default();
        assert!(busy >= Duration::from_millis(10), "busy for {busy:?}");
    }
}
