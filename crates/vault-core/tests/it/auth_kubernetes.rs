//! Kubernetes auth against a real server whose `kubernetes` method posts TokenReviews to the
//! testkit's responder.
