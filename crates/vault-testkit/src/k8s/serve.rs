//! The TokenReview HTTP endpoint.

use std::convert::Infallible;
use std::sync::{Arc, PoisonError};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::{Identity, SharedRegistry};

const REVIEW_PATH: &str = "/apis/authentication.k8s.io/v1/tokenreviews";

pub(super) async fn accept_loop(listener: TcpListener, registry: SharedRegistry) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let registry = Arc::clone(&registry);
                    connections.spawn(async move {
                        let service = service_fn(move |request| handle(request, Arc::clone(&registry)));
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    request: Request<Incoming>,
    registry: SharedRegistry,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(review(request, registry)
        .await
        .unwrap_or_else(|refusal| refusal))
}

type Reply = Response<Full<Bytes>>;

/// Answers a TokenReview; `Err` is the API server's error answer.
async fn review(request: Request<Incoming>, registry: SharedRegistry) -> Result<Reply, Reply> {
    if request.method() != Method::POST || request.uri().path() != REVIEW_PATH {
        return Err(status_object(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
        ));
    }
    // Like the API server, the caller (OpenBao, with its token_reviewer_jwt) must authenticate.
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > "Bearer ".len());
    if !bearer {
        return Err(status_object(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Unauthorized",
        ));
    }
    let body = request.into_body().collect().await;
    let body = body.map_err(|e| bad_request(&e.to_string()))?.to_bytes();
    let review: Value = serde_json::from_slice(&body)
        .map_err(|e| bad_request(&format!("invalid TokenReview: {e}")))?;
    let token = review.pointer("/spec/token").and_then(Value::as_str);
    let token = token.ok_or_else(|| bad_request("spec.token: Required value"))?;
    let identity = registry
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .review(token);
    let audiences = review
        .pointer("/spec/audiences")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(json_response(
        StatusCode::CREATED,
        &review_answer(&review["spec"], identity, audiences),
    ))
}

fn bad_request(message: &str) -> Reply {
    status_object(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn review_answer(spec: &Value, identity: Option<Identity>, audiences: Value) -> Value {
    let status = match identity {
        Some(id) => json!({
            "authenticated": true,
            "user": {
                "username": format!("system:serviceaccount:{}:{}", id.namespace, id.name),
                "uid": id.uid,
                "groups": [
                    "system:serviceaccounts",
                    format!("system:serviceaccounts:{}", id.namespace),
                    "system:authenticated",
                ],
            },
            "audiences": audiences,
        }),
        None => json!({"authenticated": false, "user": {}, "error": "invalid bearer token"}),
    };
    json!({
        "kind": "TokenReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": spec,
        "status": status,
    })
}

fn status_object(code: StatusCode, reason: &str, message: &str) -> Response<Full<Bytes>> {
    json_response(
        code,
        &json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code.as_u16(),
        }),
    )
}

fn json_response(code: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
