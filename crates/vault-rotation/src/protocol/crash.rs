//! A test hook: stop a run right after a step, as if the process had been killed there.

/// The step after which a run stops without cleaning up (the lease stays held, the state in
/// Vault stays as the step left it). For crash-recovery tests only.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrashPoint {
    /// After the pending version was written and marked.
    AfterCreate,
    /// After the target accepted the new value.
    AfterSet,
    /// After the new value was tested.
    AfterTest,
    /// After the new version was made current, before the lease is released.
    AfterFinish,
}

/// Why a run stopped early.
#[derive(Debug)]
pub(crate) struct Crashed(pub(crate) CrashPoint);
