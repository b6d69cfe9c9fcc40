//! `cargo xtask bench rotation`: how fast vault-rotation decides and rotates.
//!
//! Method:
//! - `due(now)`: a scheduler of 100,000 time-based policies whose next due times are spread over
//!   ±180 days around now (so about half are due), one in ten with a rotation window; the median
//!   of 21 calls, each timed with `Instant`.
//! - Rotations: one `bao server -dev` (vault-testkit). 1,000 secrets written with plain KV v2
//!   writes (`kv2().write_data`, 32 concurrent tasks) — the ceiling a rotation cannot beat, as it
//!   is several KV round trips — then 1,000 policies with the random rotator, all due, run by one
//!   `RotationOrchestrator::run_rotations_at` with 32 rotations at once. Each rotation takes and
//!   releases a lease, marks the pending version, writes the new version with check-and-set,
//!   appends history and marks it current.
//!
//! Compiled with optimisations (`cargo xtask bench rotation` runs xtask in release).

use std::time::{Duration, Instant};

use chrono::Utc;
use concurrent::run_concurrently;
use serde_json::json;
use vault_kv::KvExt;
use vault_rotation::{
    RotationOrchestrator, RotationScheduler, RotationWindow, SecretRotationPolicy,
};

const POLICIES: usize = 100_000;
const ROTATIONS: usize = 1_000;
const CONCURRENCY: usize = 32;

/// Run the benchmark; returns the markdown section for docs/benchmarks.md.
pub(crate) fn run() -> Result<String, String> {
    let (due_ms, due_count) = bench_due()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    let measured = runtime.block_on(bench_rotations())?;
    Ok(report(due_ms, due_count, &measured))
}

fn bench_due() -> Result<(f64, usize), String> {
    let mut scheduler = RotationScheduler::new();
    let window = RotationWindow::hours(1, 5).map_err(|e| e.to_string())?;
    let now = Utc::now();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..POLICIES {
        let mut p = SecretRotationPolicy::new(format!("p{i}"), format!("apps/a{}/s{i}", i % 100));
        if i % 10 == 0 {
            p = p.with_window(window.clone());
        }
        scheduler.schedule_rotation(p).map_err(|e| e.to_string())?;
        // xorshift: due times spread over ±180 days.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let offset = i64::try_from(seed % (360 * 86_400)).unwrap_or(0) - 180 * 86_400;
        scheduler.set_next_due(
            &format!("p{i}"),
            Some(now + chrono::Duration::seconds(offset)),
        );
    }
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..21 {
        let start = Instant::now();
        let due = scheduler.due(now);
        times.push(start.elapsed());
        count = due.len();
    }
    times.sort();
    Ok((times[times.len() / 2].as_secs_f64() * 1e3, count))
}

async fn bench_rotations() -> Result<Measured, String> {
    let bao = vault_testkit::OpenBao::dev().await;
    let client = vault_core::VaultClient::builder()
        .with_address(bao.addr())
        .with_token(bao.root_token())
        .build()
        .map_err(|e| format!("vaultkit client: {e}"))?;
    let kv = client.kv2("secret");
    let data = json!({"username": "bench_user", "password": "bench-password-not-secret"});
    let start = Instant::now();
    run_concurrently(ROTATIONS, CONCURRENCY, |i| {
        let kv = kv.clone();
        let data = data.clone();
        async move {
            kv.write_data(&format!("bench/r{i}"), &data)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    })
    .await?;
    let writes = start.elapsed();

    let mut scheduler = RotationScheduler::new();
    for i in 0..ROTATIONS {
        scheduler
            .schedule_rotation(SecretRotationPolicy::new(
                format!("r{i}"),
                format!("bench/r{i}"),
            ))
            .map_err(|e| e.to_string())?;
    }
    let orchestrator =
        RotationOrchestrator::new(client.clone(), scheduler).with_concurrency(CONCURRENCY);
    let later = Utc::now() + chrono::Duration::days(91);
    let before = client.stats();
    let start = Instant::now();
    let outcomes = orchestrator.run_rotations_at(later).await;
    let rotations = start.elapsed();
    let after = client.stats();
    let requests = (after.requests_sent - before.requests_sent) as f64 / ROTATIONS as f64;
    let retries = after.retries - before.retries;
    let rotated = outcomes.iter().filter(|o| o.outcome.is_rotated()).count();
    if rotated != ROTATIONS {
        let first = outcomes.iter().find(|o| !o.outcome.is_rotated());
        return Err(format!(
            "only {rotated} of {ROTATIONS} rotated; e.g. {first:?}"
        ));
    }
    Ok(Measured {
        writes,
        rotations,
        requests,
        retries,
    })
}

/// What the Vault part measured.
struct Measured {
    writes: Duration,
    rotations: Duration,
    /// HTTP requests per rotation.
    requests: f64,
    /// Retried attempts during the rotations.
    retries: u64,
}

fn report(due_ms: f64, due_count: usize, m: &Measured) -> String {
    let (writes, rotations) = (m.writes, m.rotations);
    let per_sec = |d: Duration| ROTATIONS as f64 / d.as_secs_f64().max(1e-9);
    let (w, r) = (per_sec(writes), per_sec(rotations));
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    let mut s = String::new();
    s.push_str("## Secret rotation (`cargo xtask bench rotation`)\n\n");
    s.push_str(&format!(
        "`RotationScheduler::due(now)` over {POLICIES} time-based policies (due times spread over ±180 days, \
         one in ten with a window), median of 21 calls; then, against one OpenBao dev server on this machine \
         (2 cores), {ROTATIONS} plain KV v2 writes and {ROTATIONS} random-secret rotations (lease, pending mark, \
         check-and-set write, history, finish), {CONCURRENCY} at once.\n\n"
    ));
    s.push_str("| measure | result | target | |\n| --- | ---: | --- | --- |\n");
    s.push_str(&format!(
        "| `due(now)`, {POLICIES} policies ({due_count} due) | {due_ms:.2} ms | < 50 ms | {} |\n",
        mark(due_ms < 50.0)
    ));
    s.push_str(&format!(
        "| {ROTATIONS} rotations | {:.2} s, {r:.0}/s | ≥ 300/s | {} |\n",
        rotations.as_secs_f64(),
        mark(r >= 300.0)
    ));
    s.push_str(&format!(
        "| {ROTATIONS} plain KV writes (the ceiling) | {:.2} s, {w:.0}/s | | |\n",
        writes.as_secs_f64()
    ));
    s.push_str(&format!(
        "\nA rotation costs {:.1} plain writes' time and made {:.1} HTTP requests ({} retried attempts in all). Its KV round trips: lease read and write, one read of \
         the secret (state, version and value together), pending mark, the new version with check-and-set, \
         history read and write, finish mark, lease release — 3 reads and 6 writes once the lease and \
         history records exist (a first rotation, as here, reads each record's metadata too). The \
         rotation rate is bound by the server's write rate: compare it with the plain writes of the same \
         run. Load average when the run ended: {} (other builds on the machine depress both figures).\n\n",
        w / r.max(1e-9),
        m.requests,
        m.retries,
        crate::util::load_average()
    ));
    s.push_str("Command: `cargo xtask bench rotation` (release build).\n");
    s
}

/// Bounded concurrency without another dependency: `n` jobs, at most `width` at once.
mod concurrent {
    use std::future::Future;

    pub(super) async fn run_concurrently<F, Fut>(
        n: usize,
        width: usize,
        job: F,
    ) -> Result<(), String>
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            if set.len() >= width
                && let Some(done) = set.join_next().await
            {
                done.map_err(|e| e.to_string())??;
            }
            set.spawn(job(i));
        }
        while let Some(done) = set.join_next().await {
            done.map_err(|e| e.to_string())??;
        }
        Ok(())
    }
}
