//! The PostgreSQL rotator against a real PostgreSQL (vault-testkit's throwaway cluster), with
//! the admin credentials in a real OpenBao's KV.

use serde_json::{Map, Value, json};
use vault_core::VaultClient;
use vault_kv::SecretData;
use vault_rotation::{
    AdminCredentials, PostgresRotator, PostgresRotatorConfig, PostgresStrategy, RotationContext,
    RotationErrorKind, Rotator,
};
use vault_testkit::{OpenBao, Postgres};

/// A PostgreSQL server, an OpenBao server holding the superuser's credentials at
/// `secret/pg/admin`, and a client for it.
struct World {
    pg: Postgres,
    _bao: OpenBao,
    client: VaultClient,
}

impl World {
    async fn new() -> World {
        let (pg, bao) = tokio::join!(Postgres::start(), OpenBao::dev());
        let (status, body) = bao
            .api(
                "POST",
                "secret/data/pg/admin",
                Some(json!({"data": {"username": pg.superuser(), "password": pg.superuser_password()}})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let client = VaultClient::builder()
            .with_address(bao.addr())
            .with_token(bao.root_token())
            .build()
            .expect("client");
        World {
            pg,
            _bao: bao,
            client,
        }
    }

    fn config(&self, strategy: PostgresStrategy) -> PostgresRotatorConfig {
        PostgresRotatorConfig::new(self.pg.host(), self.pg.port(), admin_in_kv())
            .with_strategy(strategy)
    }

    fn rotator(&self, strategy: PostgresStrategy) -> PostgresRotator {
        PostgresRotator::new(self.config(strategy))
            .expect("valid config")
            .with_vault_client(self.client.clone())
    }

    async fn logs_in(&self, user: &str, password: &str) -> bool {
        self.pg.try_login(user, password).await.is_ok()
    }
}

fn admin_in_kv() -> AdminCredentials {
    AdminCredentials::Kv {
        mount: "secret".into(),
        path: "pg/admin".into(),
        username_key: "username".into(),
        password_key: "password".into(),
    }
}

fn ctx() -> RotationContext {
    RotationContext {
        policy: "db".into(),
        mount: "secret".into(),
        path: "app/db".into(),
        current_version: Some(1),
        pending_version: None,
        attempt_id: "attempt-1".into(),
    }
}

fn data(value: Value) -> SecretData {
    match value {
        Value::Object(map) => SecretData::new(map),
        _ => SecretData::new(Map::new()),
    }
}

fn password(data: &SecretData) -> String {
    data.get_str("password").expect("password").to_string()
}

fn single() -> PostgresStrategy {
    PostgresStrategy::SingleRole { role: None }
}

#[tokio::test]
async fn single_role_new_password_replaces_the_old_and_rollback_restores_it() {
    let w = World::new().await;
    let old = "planted-old-Password-1";
    w.pg.create_role("app", old).await;
    let rotator = w.rotator(single());
    let current = data(json!({"username": "app", "password": old, "host": "db.internal"}));

    let new = rotator.generate(&ctx(), &current).await.expect("generate");
    assert_eq!(new.get_str("username"), Some("app"));
    assert_eq!(new.get_str("host"), Some("db.internal"), "other keys kept");
    assert_eq!(password(&new).len(), 32);
    assert_ne!(password(&new), old);

    rotator.set(&ctx(), &current, &new).await.expect("set");
    rotator.test(&ctx(), &new).await.expect("test");
    assert!(
        w.logs_in("app", &password(&new)).await,
        "new password works"
    );
    assert!(!w.logs_in("app", old).await, "old password refused");

    rotator
        .rollback(&ctx(), &current, &new)
        .await
        .expect("rollback");
    assert!(w.logs_in("app", old).await, "old password restored");
    assert!(
        !w.logs_in("app", &password(&new)).await,
        "failed one refused"
    );

    // Set is idempotent: running it twice leaves the same working password.
    rotator.set(&ctx(), &current, &new).await.expect("set");
    rotator
        .set(&ctx(), &current, &new)
        .await
        .expect("set again");
    rotator.test(&ctx(), &new).await.expect("test");
}

#[tokio::test]
async fn the_password_never_reaches_the_server_log_in_plaintext() {
    let w = World::new().await;
    w.pg.execute("ALTER SYSTEM SET log_statement = 'all'").await;
    w.pg.execute("SELECT pg_reload_conf()").await;
    w.pg.create_role("app", "planted-old-Password-2").await;
    let rotator = w.rotator(single());
    let current = data(json!({"username": "app", "password": "planted-old-Password-2"}));
    let new = rotator.generate(&ctx(), &current).await.expect("generate");
    rotator.set(&ctx(), &current, &new).await.expect("set");
    rotator.test(&ctx(), &new).await.expect("test");
    // The statement was logged (so the check below can fail), with a verifier only.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !w.pg.log().contains("ALTER ROLE \"app\"") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let log = w.pg.log();
    assert!(
        log.contains("ALTER ROLE \"app\" WITH PASSWORD 'SCRAM-SHA-256$"),
        "{log}"
    );
    assert!(
        !log.contains(&password(&new)),
        "plaintext password in the server log"
    );
}

#[tokio::test]
async fn a_failing_test_step_names_the_server_and_hides_the_password() {
    let w = World::new().await;
    w.pg.create_role("app", "planted-real-Password-3").await;
    let rotator = w.rotator(single());
    let wrong = data(json!({"username": "app", "password": "planted-wrong-Password-3"}));
    let err = rotator
        .test(&ctx(), &wrong)
        .await
        .expect_err("wrong password");
    assert_eq!(err.kind(), RotationErrorKind::Rotator);
    let text = format!("{err} {err:?}");
    assert!(text.contains(&w.pg.addr()), "{text}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains("planted-wrong-Password-3"), "{text}");
    assert!(
        !format!("{wrong:?}").contains("planted"),
        "SecretData Debug"
    );
}

#[tokio::test]
async fn alternating_roles_keep_the_previous_role_working_until_the_next_rotation() {
    let w = World::new().await;
    let (a0, b0) = ("planted-a0-Password", "planted-b0-Password");
    w.pg.create_role("app_a", a0).await;
    w.pg.create_role("app_b", b0).await;
    let rotator = w.rotator(PostgresStrategy::Alternating {
        roles: ["app_a".into(), "app_b".into()],
    });
    let v0 = data(json!({"username": "app_a", "password": a0}));

    // Rotation 1: app_b gets a fresh password and becomes current; app_a keeps working.
    let v1 = rotator.generate(&ctx(), &v0).await.expect("generate 1");
    assert_eq!(v1.get_str("username"), Some("app_b"));
    rotator.set(&ctx(), &v0, &v1).await.expect("set 1");
    rotator.test(&ctx(), &v1).await.expect("test 1");
    assert!(w.logs_in("app_b", &password(&v1)).await);
    assert!(
        !w.logs_in("app_b", b0).await,
        "app_b's old password is gone"
    );
    assert!(
        w.logs_in("app_a", a0).await,
        "previous role still works (grace)"
    );

    // Rotation 2: back to app_a, whose old password now stops working; app_b keeps v1.
    let v2 = rotator.generate(&ctx(), &v1).await.expect("generate 2");
    assert_eq!(v2.get_str("username"), Some("app_a"));
    rotator.set(&ctx(), &v1, &v2).await.expect("set 2");
    assert!(!w.logs_in("app_a", a0).await, "two rotations ago: refused");
    assert!(w.logs_in("app_a", &password(&v2)).await);
    assert!(
        w.logs_in("app_b", &password(&v1)).await,
        "previous still works"
    );

    // A rollback leaves the current role untouched.
    rotator.rollback(&ctx(), &v1, &v2).await.expect("rollback");
    assert!(w.logs_in("app_b", &password(&v1)).await);
}

#[tokio::test]
async fn alternating_never_touches_a_role_outside_the_pair() {
    let w = World::new().await;
    let rotator = w.rotator(PostgresStrategy::Alternating {
        roles: ["app_a".into(), "app_b".into()],
    });
    // A tampered pending value naming the superuser.
    let current = data(json!({"username": "app_a", "password": "x"}));
    let forged = data(json!({"username": "postgres", "password": "planted-forged-Password"}));
    let err = rotator
        .set(&ctx(), &current, &forged)
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("neither of the alternating roles"),
        "{err}"
    );
    assert!(w.logs_in("postgres", &w.pg.superuser_password()).await);
}

#[tokio::test]
async fn hostile_role_names_cannot_inject_sql() {
    let w = World::new().await;
    for (i, role) in [
        r#"evil"; ALTER ROLE postgres PASSWORD 'pwned'; --"#,
        r#"o'brien'; DROP ROLE postgres; --"#,
        "back\\slash",
    ]
    .into_iter()
    .enumerate()
    {
        let old = format!("planted-old-{i}-Password");
        w.pg.create_role(role, &old).await;
        let rotator = w.rotator(single());
        let current = data(json!({"username": role, "password": old}));
        let new = rotator.generate(&ctx(), &current).await.expect("generate");
        rotator.set(&ctx(), &current, &new).await.expect("set");
        rotator.test(&ctx(), &new).await.expect("test");
        assert!(w.logs_in(role, &password(&new)).await, "{role}");
        assert!(!w.logs_in(role, &old).await, "{role}");
    }
    assert!(w.logs_in("postgres", &w.pg.superuser_password()).await);
    assert!(!w.logs_in("postgres", "pwned").await);
}

#[tokio::test]
async fn a_missing_role_says_so_without_the_password() {
    let w = World::new().await;
    let rotator = w.rotator(single());
    let current = data(json!({"username": "ghost", "password": "planted-ghost-old"}));
    let new = rotator.generate(&ctx(), &current).await.expect("generate");
    let err = rotator
        .set(&ctx(), &current, &new)
        .await
        .expect_err("no such role");
    let text = format!("{err} {err:?}");
    assert!(text.contains("does not exist"), "{text}");
    assert!(text.contains(&w.pg.addr()), "{text}");
    for secret in [
        password(&new),
        "planted-ghost-old".into(),
        w.pg.superuser_password(),
    ] {
        assert!(!text.contains(&secret), "{text}");
    }
}

#[tokio::test]
async fn a_wrong_admin_password_is_reported_without_any_password() {
    let w = World::new().await;
    w.pg.create_role("app", "planted-app-Password").await;
    let bad_admin = "planted-bad-admin-Password";
    let (status, _) = w
        ._bao
        .api(
            "POST",
            "secret/data/pg/admin",
            Some(json!({"data": {"username": "postgres", "password": bad_admin}})),
        )
        .await;
    assert_eq!(status, 200);
    let rotator = w.rotator(single());
    let current = data(json!({"username": "app", "password": "planted-app-Password"}));
    let new = rotator.generate(&ctx(), &current).await.expect("generate");
    let err = rotator
        .set(&ctx(), &current, &new)
        .await
        .expect_err("admin refused");
    let text = format!("{err} {err:?} {rotator:?}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(text.contains("`postgres`"), "names the admin role: {text}");
    for secret in [
        bad_admin.to_string(),
        password(&new),
        "planted-app-Password".into(),
    ] {
        assert!(!text.contains(&secret), "{text}");
    }
    assert!(w.logs_in("app", "planted-app-Password").await, "unchanged");
}

#[tokio::test]
async fn an_unreachable_server_names_host_and_port() {
    let w = World::new().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let rotator =
        PostgresRotator::new(PostgresRotatorConfig::new("127.0.0.1", port, admin_in_kv()))
            .expect("valid")
            .with_vault_client(w.client.clone());
    let new = data(json!({"username": "app", "password": "planted-Password"}));
    let err = rotator
        .test(&ctx(), &new)
        .await
        .expect_err("nothing listens");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(
        text.contains("hint: check that PostgreSQL listens"),
        "{text}"
    );
}

#[tokio::test]
async fn admin_sources_that_cannot_work_are_config_errors() {
    let current = data(json!({"username": "app", "password": "old"}));
    let new = data(json!({"username": "app", "password": "new-planted"}));
    let env = PostgresRotator::new(PostgresRotatorConfig::new(
        "127.0.0.1",
        1,
        AdminCredentials::DsnEnv {
            var: "VAULTKIT_TEST_UNSET_PG_DSN".into(),
        },
    ))
    .expect("valid");
    let err = env.set(&ctx(), &current, &new).await.expect_err("unset");
    assert_eq!(err.kind(), RotationErrorKind::Config);
    assert!(
        err.to_string().contains("VAULTKIT_TEST_UNSET_PG_DSN"),
        "{err}"
    );

    let no_client = PostgresRotator::new(PostgresRotatorConfig::new("127.0.0.1", 1, admin_in_kv()))
        .expect("valid");
    let err = no_client
        .set(&ctx(), &current, &new)
        .await
        .expect_err("no client");
    assert_eq!(err.kind(), RotationErrorKind::Config);
    assert!(err.to_string().contains("with_vault_client"), "{err}");
}
