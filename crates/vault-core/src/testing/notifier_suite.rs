//! [`notifier_suite`]: the behaviour every [`Notifier`] promises in its `# Contract`.

use futures_util::future::join_all;

use crate::notify::{Notifier, NotifyMessage, NotifySeverity};

/// What the channel has received so far, one entry per delivered message, as the text the
/// channel got (for a webhook: each request body). The suite only counts entries and looks for
/// its own markers in them.
pub type Received<'a> = &'a (dyn Fn() -> Vec<String> + Send + Sync);

fn severities() -> [NotifySeverity; 4] {
    [
        NotifySeverity::Info,
        NotifySeverity::Warning,
        NotifySeverity::Error,
        NotifySeverity::Critical,
    ]
}

/// Asserts that none of `secrets` appears in `shown`.
fn assert_hidden(shown: &str, secrets: &[&str], what: &str) {
    for secret in secrets {
        assert!(
            !secret.is_empty() && !shown.contains(secret),
            "notifier_suite: {what} shows a configured credential (or an empty one was given)"
        );
    }
}

/// Delivers `message` through `notifier` and checks that, when `notify` returns, the channel
/// holds exactly one more entry, containing `markers`. Returns that entry.
async fn deliver(
    notifier: &dyn Notifier,
    message: &NotifyMessage,
    received: Received<'_>,
    markers: &[&str],
    what: &str,
) -> String {
    let name = notifier.name().to_string();
    let before = received().len();
    notifier
        .notify(message)
        .await
        .unwrap_or_else(|e| panic!("notifier_suite: `{name}` refused {what}: {e}"));
    let now = received();
    assert_eq!(
        now.len(),
        before + 1,
        "notifier_suite: after `{name}` returned Ok for {what}, the channel holds {} new messages, not 1 \
         (notify must return once the channel accepted the message, and send it once)",
        now.len().saturating_sub(before)
    );
    let entry = now.last().cloned().unwrap_or_default();
    for marker in markers {
        assert!(
            entry.to_lowercase().contains(&marker.to_lowercase()),
            "notifier_suite: `{name}` delivered {what} without `{marker}`"
        );
    }
    entry
}

/// Run every [`Notifier`] contract check.
///
/// - `accepting` delivers to a channel that accepts messages; `received` reads what that
///   channel holds (see [`Received`]).
/// - `refusing` is the same kind of notifier, configured the same way, pointed at a channel that
///   refuses every message (for a webhook: a URL answering HTTP 500).
/// - `secrets` are the credentials both were configured with (a token in a URL, a header
///   value); none may appear in `name()`, `Debug` or an error.
///
/// Checks: `name()` is short, non-empty and without spaces; a message of each severity is
/// delivered once, with its subject, body, severity and fields in what the channel received,
/// by the time `notify` returns; text with quotes, newlines, markup and non-ASCII is delivered;
/// eight concurrent `notify` calls through one shared notifier each deliver once; a refusal is an
/// `Err` whose message names the channel; `Debug` of both notifiers and every error hide
/// `secrets`. Each message carries a random tag, so concurrent runs do not mix. Panics on the
/// first failed check.
pub async fn notifier_suite(
    accepting: &dyn Notifier,
    refusing: &dyn Notifier,
    received: Received<'_>,
    secrets: &[&str],
) {
    let name = accepting.name().to_string();
    assert!(
        !name.is_empty() && name.len() <= 32 && !name.contains(char::is_whitespace),
        "notifier_suite: name() must be a short word such as `webhook`, got {name:?}"
    );
    assert_eq!(
        refusing.name(),
        name,
        "notifier_suite: the refusing notifier must be the same kind as the accepting one"
    );
    assert_hidden(&name, secrets, "name()");
    assert_hidden(&format!("{accepting:?}"), secrets, "Debug of the notifier");
    assert_hidden(
        &format!("{refusing:?}"),
        secrets,
        "Debug of the refusing notifier",
    );

    let tag = super::run_tag();

    // Every severity, with subject, body and fields.
    for severity in severities() {
        let subject = format!("suite-{tag}-subject-{severity}");
        let body = format!("suite-{tag}-body");
        let message = NotifyMessage::new(severity, subject.clone(), body.clone())
            .with_field("suite-field", format!("suite-{tag}-value"));
        deliver(
            accepting,
            &message,
            received,
            &[
                &subject,
                &body,
                severity.as_str(),
                "suite-field",
                &format!("suite-{tag}-value"),
            ],
            &format!("a {severity} message"),
        )
        .await;
    }

    // A message without fields and with an empty body is still a message.
    let bare = NotifyMessage::new(NotifySeverity::Info, format!("suite-{tag}-bare"), "");
    deliver(
        accepting,
        &bare,
        received,
        &[&format!("suite-{tag}-bare")],
        "a message with an empty body and no fields",
    )
    .await;

    // Text that needs escaping in JSON, HTML or chat markup is delivered, not refused.
    let awkward = NotifyMessage::new(
        NotifySeverity::Warning,
        format!("suite-{tag}-awkward \"quoted\" <b>bold</b> & *stars*"),
        "line one\nline two\ttabbed \\ backslash — café ✓ 🚨",
    )
    .with_field("path", "secret/data/app \"db\"");
    deliver(
        accepting,
        &awkward,
        received,
        &[&format!("suite-{tag}-awkward")],
        "a message with quotes, newlines, markup and non-ASCII text",
    )
    .await;

    // Shared between tasks: every concurrent call delivers exactly once.
    let before = received().len();
    let messages: Vec<NotifyMessage> = (0..8)
        .map(|i| {
            NotifyMessage::new(
                NotifySeverity::Info,
                format!("suite-{tag}-concurrent-{i}"),
                "",
            )
        })
        .collect();
    let results = join_all(messages.iter().map(|m| accepting.notify(m))).await;
    for (i, result) in results.into_iter().enumerate() {
        if let Err(e) = result {
            panic!("notifier_suite: `{name}` refused concurrent message {i}: {e}");
        }
    }
    let now = received();
    assert_eq!(
        now.len(),
        before + 8,
        "notifier_suite: 8 concurrent notify calls on `{name}` did not deliver 8 messages"
    );
    for i in 0..8 {
        let marker = format!("suite-{tag}-concurrent-{i}");
        assert_eq!(
            now[before..].iter().filter(|e| e.contains(&marker)).count(),
            1,
            "notifier_suite: concurrent message {i} was not delivered exactly once by `{name}`"
        );
    }

    // A refusal is an error that names the channel and hides the credentials.
    let before = received().len();
    let refused = NotifyMessage::new(
        NotifySeverity::Error,
        format!("suite-{tag}-refused"),
        "the channel refuses this",
    );
    let error = match refusing.notify(&refused).await {
        Ok(()) => panic!("notifier_suite: `{name}` returned Ok for a channel that refuses"),
        Err(e) => e,
    };
    let shown = error.to_string();
    assert!(
        shown.to_lowercase().contains(&name.to_lowercase()),
        "notifier_suite: the refusal does not name the channel `{name}`: {shown}"
    );
    assert_hidden(&shown, secrets, "the refusal's message");
    assert_hidden(&format!("{error:?}"), secrets, "Debug of the refusal");
    assert_eq!(
        received().len(),
        before,
        "notifier_suite: the accepting channel received a message sent through the refusing notifier"
    );
}
