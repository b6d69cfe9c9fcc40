//! Where one setting's value came from, so that errors and notes name the place the user has to
//! fix: flag `--ca-cert`, env `VAULT_CACERT`, or profile `prod` key `ca_cert` in `FILE`.

use std::fmt;
use std::path::PathBuf;

/// The origin of one setting's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A command-line flag (the long name, without dashes).
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key of a config-file profile.
    Profile {
        name: String,
        key: &'static str,
        file: PathBuf,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag `--{flag}`"),
            Source::Env(var) => write!(f, "env `{var}`"),
            Source::Profile { name, key, file } => {
                write!(f, "profile `{name}` key `{key}` in `{}`", file.display())
            }
        }
    }
}

/// Which place supplies the connection (address, namespace, TLS files, credentials) as a unit.
/// Flags still override single settings on top of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnectionSource {
    /// A profile of the config file: named by `--profile` / `VAULTKIT_PROFILE` (`named`), or the
    /// file's `default_profile` while `VAULT_ADDR` is unset.
    Profile {
        name: String,
        file: PathBuf,
        named: bool,
    },
    /// Vault's environment variables (and Vault's defaults for what they leave unset).
    Environment,
}

impl ConnectionSource {
    /// The rule, in one place: a profile named explicitly wins over the environment; otherwise
    /// the environment wins when it sets `VAULT_ADDR`; otherwise the default profile; otherwise
    /// the environment.
    pub(crate) fn choose(
        profile: Option<(String, PathBuf)>,
        named: bool,
        env_sets_address: bool,
    ) -> ConnectionSource {
        match profile {
            Some((name, file)) if named || !env_sets_address => {
                ConnectionSource::Profile { name, file, named }
            }
            _ => ConnectionSource::Environment,
        }
    }

    /// The source for a profile `key`, when the connection comes from a profile.
    pub(crate) fn profile_key(&self, key: &'static str) -> Option<Source> {
        match self {
            ConnectionSource::Profile { name, file, .. } => Some(Source::Profile {
                name: name.clone(),
                key,
                file: file.clone(),
            }),
            ConnectionSource::Environment => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prof() -> Option<(String, PathBuf)> {
        Some(("prod".into(), PathBuf::from("/c.toml")))
    }

    #[test]
    fn a_named_profile_beats_the_environment_and_the_default_profile_does_not() {
        let named = ConnectionSource::choose(prof(), true, true);
        assert!(matches!(
            named,
            ConnectionSource::Profile { named: true, .. }
        ));
        assert_eq!(
            ConnectionSource::choose(prof(), false, true),
            ConnectionSource::Environment
        );
        assert!(matches!(
            ConnectionSource::choose(prof(), false, false),
            ConnectionSource::Profile { named: false, .. }
        ));
        assert_eq!(
            ConnectionSource::choose(None, false, false),
            ConnectionSource::Environment
        );
    }

    #[test]
    fn sources_read_as_the_place_to_fix() {
        assert_eq!(Source::Flag("ca-cert").to_string(), "flag `--ca-cert`");
        assert_eq!(
            Source::Env("VAULT_CACERT").to_string(),
            "env `VAULT_CACERT`"
        );
        let p = ConnectionSource::choose(prof(), true, false)
            .profile_key("ca_cert")
            .expect("profile");
        assert_eq!(p.to_string(), "profile `prod` key `ca_cert` in `/c.toml`");
    }
}
