//! The throwaway PostgreSQL cluster: password logins, roles with hostile names, and a drop
//! that stops the server and removes its files.

use std::time::Duration;

use vault_testkit::Postgres;

#[tokio::test]
async fn superuser_logs_in_with_its_password_only() {
    let pg = Postgres::start().await;
    pg.try_login(pg.superuser(), &pg.superuser_password())
        .await
        .expect("superuser login");
    let err = pg
        .try_login(pg.superuser(), "not-the-password")
        .await
        .expect_err("a wrong password must be refused");
    assert!(err.contains("password authentication failed"), "{err}");

    let (client, connection) = tokio_postgres::connect(&pg.superuser_dsn(), tokio_postgres::NoTls)
        .await
        .expect("connect with superuser_dsn");
    tokio::spawn(connection);
    let row = client
        .query_one("SELECT current_user::text", &[])
        .await
        .expect("query");
    assert_eq!(row.get::<_, String>(0), "postgres");
}

#[tokio::test]
async fn roles_with_hostile_names_are_created_verbatim() {
    let pg = Postgres::start().await;
    let name = r#"app"; DROP ROLE postgres; --"#;
    let password = r#"pa'ss\word"#;
    pg.create_role(name, password).await;
    pg.try_login(name, password)
        .await
        .expect("the role logs in with its exact password");
    pg.try_login(name, "other")
        .await
        .expect_err("wrong password refused");
    // The superuser still exists: nothing was injected.
    pg.try_login(pg.superuser(), &pg.superuser_password())
        .await
        .expect("superuser intact");
}

#[tokio::test]
async fn debug_hides_the_superuser_password() {
    let pg = Postgres::start().await;
    let debug = format!("{pg:?}");
    assert!(debug.contains(&pg.addr()), "{debug}");
    assert!(!debug.contains(&pg.superuser_password()), "{debug}");
}

#[tokio::test]
async fn dropping_stops_the_server_and_removes_its_files() {
    let pg = Postgres::start().await;
    pg.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .await;
    let addr = pg.addr();
    let dir = format!("{pg:?}");
    let dir = dir
        .split("dir: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("Debug names the dir")
        .to_string();
    assert!(std::path::Path::new(&dir).join("data").is_dir());
    drop(pg);
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    .map(|r| r.is_err())
    .unwrap_or(true);
    assert!(refused, "{addr} still accepts connections after drop");
    assert!(!std::path::Path::new(&dir).exists(), "{dir} left behind");
}
