//! `SmtpNotifier` against a real SMTP server (aiosmtpd via vault-testkit): the `Notifier`
//! conformance suite over STARTTLS with AUTH and over implicit TLS; the email as received
//! (envelope, subject, body, AUTH and STARTTLS used); header injection through a hostile
//! subject; a wrong CA, a wrong password and a refused recipient as errors without the password.

use std::time::Duration;

use vault_core::testing::notifier_suite;
use vault_core::{
    Notifier, NotifyMessage, NotifySeverity, SmtpNotifier, SmtpNotifierBuilder, SmtpSecurity,
    VaultErrorKind,
};
use vault_testkit::{SmtpMode, SmtpServer};

fn builder(server: &SmtpServer, security: SmtpSecurity, to: &str) -> SmtpNotifierBuilder {
    let mut b = SmtpNotifier::builder(server.host())
        .with_port(server.port())
        .with_security(security)
        .with_from("vaultkit <backup@example.test>")
        .with_to(to)
        .with_timeout(Duration::from_secs(20));
    if let Some(ca) = server.ca_cert_path() {
        b = b
            .with_root_ca_file(ca)
            .with_credentials(server.username(), server.password());
    }
    b
}

async fn suite(mode: SmtpMode, security: SmtpSecurity) {
    let server = SmtpServer::start(mode);
    let accepting = builder(&server, security, "ops@example.test")
        .build()
        .expect("build");
    let refusing = builder(&server, security, "refuse@example.test")
        .build()
        .expect("build");
    let received = || {
        server
            .received()
            .iter()
            .map(|m| m.text())
            .collect::<Vec<_>>()
    };
    notifier_suite(&accepting, &refusing, &received, &[server.password()]).await;
}

#[tokio::test]
async fn smtp_notifier_passes_the_notifier_suite_over_starttls() {
    suite(SmtpMode::StartTls, SmtpSecurity::StartTls).await;
}

#[tokio::test]
async fn smtp_notifier_passes_the_notifier_suite_over_implicit_tls() {
    suite(SmtpMode::Tls, SmtpSecurity::Tls).await;
}

#[tokio::test]
async fn the_email_arrives_as_sent_with_auth_and_starttls() {
    let server = SmtpServer::start(SmtpMode::StartTls);
    let notifier = builder(&server, SmtpSecurity::StartTls, "ops@example.test")
        .with_to("Second Person <second@example.test>")
        .build()
        .expect("build");
    let message = NotifyMessage::new(
        NotifySeverity::Error,
        "nightly backup failed",
        "S3 refused the upload — café",
    )
    .with_field("job", "nightly");
    notifier.notify(&message).await.expect("delivered");
    let mail = server.received();
    assert_eq!(mail.len(), 1);
    let mail = &mail[0];
    assert_eq!(mail.mail_from, "backup@example.test");
    assert_eq!(mail.rcpt_tos, ["ops@example.test", "second@example.test"]);
    assert_eq!(mail.subject, "[ERROR] nightly backup failed");
    assert!(
        mail.body.starts_with("S3 refused the upload — café\n"),
        "{}",
        mail.body
    );
    assert!(mail.body.contains("job: nightly"), "{}", mail.body);
    assert_eq!(mail.auth_user.as_deref(), Some(server.username()));
    assert!(mail.starttls, "the session was not upgraded with STARTTLS");
    assert!(!mail.raw.contains(server.password()));
}

#[tokio::test]
async fn a_hostile_subject_cannot_add_headers_or_recipients() {
    let server = SmtpServer::start(SmtpMode::Plain);
    let notifier = SmtpNotifier::builder("127.0.0.1")
        .with_port(server.port())
        .with_security(SmtpSecurity::None)
        .with_from("backup@example.test")
        .with_to("ops@example.test")
        .build()
        .expect("build");
    let hostile = NotifyMessage::new(
        NotifySeverity::Error,
        "secret/app failed\r\nBcc: evil@example.test\r\nX-Injected: yes\n\nforged body",
        "real body",
    );
    notifier.notify(&hostile).await.expect("delivered");
    let mail = &server.received()[0];
    assert_eq!(mail.rcpt_tos, ["ops@example.test"]);
    assert!(mail.header("bcc").is_empty(), "{:?}", mail.headers);
    assert!(mail.header("x-injected").is_empty(), "{:?}", mail.headers);
    assert_eq!(mail.header("subject").len(), 1);
    assert!(
        mail.subject.contains("Bcc: evil@example.test"),
        "{}",
        mail.subject
    );
    assert!(mail.body.starts_with("real body"), "{}", mail.body);
    assert!(mail.auth_user.is_none() && !mail.starttls);
}

#[tokio::test]
async fn wrong_ca_wrong_password_and_cleartext_relay_are_refused() {
    let server = SmtpServer::start(SmtpMode::StartTls);
    let message = NotifyMessage::new(NotifySeverity::Info, "x", "y");
    let pki = server.pki().expect("tls mode has a PKI");

    let wrong_ca = SmtpNotifier::builder(server.host())
        .with_port(server.port())
        .with_root_ca_file(pki.wrong_ca_cert_path())
        .with_credentials(server.username(), server.password())
        .with_from("backup@example.test")
        .with_to("ops@example.test")
        .build()
        .expect("build");
    let e = wrong_ca.notify(&message).await.expect_err("untrusted CA");
    assert_eq!(e.kind(), VaultErrorKind::Connection, "{e}");
    assert!(e.to_string().contains("TLS"), "{e}");
    assert!(!e.to_string().contains(server.password()));

    let wrong_pw = builder(&server, SmtpSecurity::StartTls, "ops@example.test")
        .with_credentials(server.username(), "planted-wrong-password")
        .build()
        .expect("build");
    let e = wrong_pw.notify(&message).await.expect_err("bad password");
    assert_eq!(e.kind(), VaultErrorKind::Permission, "{e}");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("planted-wrong-password"), "{shown}");

    // A client that skips STARTTLS never gets as far as AUTH or MAIL: the server demands it.
    let e = SmtpNotifier::builder("127.0.0.1")
        .with_port(server.port())
        .with_security(SmtpSecurity::None)
        .with_from("backup@example.test")
        .with_to("ops@example.test")
        .build()
        .expect("loopback")
        .notify(&message)
        .await
        .expect_err("STARTTLS required by the server");
    assert!(
        e.to_string().contains("smtp") || e.to_string().contains("SMTP"),
        "{e}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn credentials_come_from_named_environment_variables() {
    let server = SmtpServer::start(SmtpMode::StartTls);
    let (user, password) = (server.username().to_string(), server.password().to_string());
    let notifier = SmtpNotifier::builder(server.host())
        .with_port(server.port())
        .with_root_ca_file(server.ca_cert_path().expect("ca"))
        .with_credentials_from_env("SMTP_USER", "SMTP_PASSWORD")
        .with_from("backup@example.test")
        .with_to("ops@example.test")
        .build_with_env(|name| match name {
            "SMTP_USER" => Some(user.clone()),
            "SMTP_PASSWORD" => Some(password.clone()),
            _ => None,
        })
        .expect("build");
    assert!(!format!("{notifier:?}").contains(server.password()));
    notifier
        .notify(&NotifyMessage::new(NotifySeverity::Warning, "from env", ""))
        .await
        .expect("delivered");
    let mail = server.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(mail[0].auth_user.as_deref(), Some(server.username()));
}

#[tokio::test]
async fn starttls_is_required_not_hoped_for() {
    // A relay that offers no STARTTLS: the notifier must refuse to send in clear text.
    let server = SmtpServer::start(SmtpMode::Plain);
    let notifier = SmtpNotifier::builder("127.0.0.1")
        .with_port(server.port())
        .with_security(SmtpSecurity::StartTls)
        .with_credentials("mailer", "planted-smtp-password")
        .with_from("backup@example.test")
        .with_to("ops@example.test")
        .build()
        .expect("build");
    let e = notifier
        .notify(&NotifyMessage::new(NotifySeverity::Error, "x", "y"))
        .await
        .expect_err("no STARTTLS offered");
    assert!(
        !format!("{e} {e:?}").contains("planted-smtp-password"),
        "{e}"
    );
    assert!(server.received().is_empty(), "sent without TLS");
}
