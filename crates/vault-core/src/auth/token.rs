//! Static token auth (placeholder file to be filled by the core work).
