//! `-v` / `VAULTKIT_LOG`: the libraries' warnings reach stderr when asked for, and only then.

use serde_json::json;
use vault_testkit::{Fault, FaultProxy};

use crate::support::World;

const PW: &str = "Logged-Never-7vQ2-planted";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_a_retry_warning_and_stderr_is_clean_without_it() {
    let w = World::new().await;
    w.seed("secret/app/db", json!({"password": PW})).await;
    let proxy = FaultProxy::start(&w.bao.addr()).await;
    let get = |extra: &[&str]| {
        let mut args = vec!["kv", "get", "-field=password", "secret/app/db"];
        args.extend(extra);
        w.vk(&args).env("VAULT_ADDR", &proxy.addr())
    };

    // The first request gets a 503 and is retried; -v says so on stderr.
    proxy.push(Fault::status(503));
    let loud = get(&["-v"]).run().await;
    loud.ok();
    assert_eq!(loud.stdout.trim_end(), PW);
    assert!(
        loud.stderr.contains("WARN")
            && loud.stderr.contains("retrying")
            && loud.stderr.contains("503"),
        "{}",
        loud.stderr
    );
    assert_eq!(proxy.pending_faults(), 0, "the fault was used");

    // The same retry without -v: nothing on stderr.
    proxy.push(Fault::status(503));
    let quiet = get(&[]).run().await;
    quiet.ok();
    assert_eq!(quiet.stdout.trim_end(), PW);
    assert_eq!(quiet.stderr, "", "stderr must stay clean without -v");
    assert_eq!(proxy.pending_faults(), 0, "the fault was used");

    // VAULTKIT_LOG chooses the filter itself.
    proxy.push(Fault::status(503));
    let env = get(&[]).env("VAULTKIT_LOG", "vault_core=warn").run().await;
    env.ok();
    assert!(env.stderr.contains("retrying"), "{}", env.stderr);

    // Even at the most verbose level, no value and no token on stderr.
    proxy.push(Fault::status(503));
    let trace = get(&["-vvv"]).run().await;
    trace.ok();
    for out in [&loud, &env, &trace] {
        assert!(
            !out.stderr.contains(PW) && !out.stderr.contains(&w.bao.root_token()),
            "a secret reached the log:\n{}",
            out.stderr
        );
    }

    // A filter that does not parse is a usage error.
    get(&[])
        .env("VAULTKIT_LOG", "vault_core=loudest")
        .run()
        .await
        .code(2)
        .one_line_error();
}
