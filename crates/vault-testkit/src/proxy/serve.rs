//! Accepting connections and applying a fault to each request.

use std::convert::Infallible;
use std::os::fd::AsFd;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::forward::{Answer, Forwarder};
use super::{Fault, Shared};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ProxyBody = BoxBody<Bytes, BoxError>;

/// Accepts connections until the task is aborted; aborting drops every connection task.
pub(super) async fn accept_loop(listener: TcpListener, state: Shared, forwarder: Forwarder) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&state), forwarder.clone()));
                }
                // E.g. too many open files: back off briefly and keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, state: Shared, forwarder: Forwarder) {
    // A second handle on the socket, so a Reset fault can set SO_LINGER 0: the kernel then
    // answers the final close with RST instead of FIN.
    let socket = stream
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .map(|fd| Arc::new(socket2::Socket::from(fd)));
    let service = service_fn(move |request| {
        handle(
            request,
            Arc::clone(&state),
            forwarder.clone(),
            socket.clone(),
        )
    });
    // Errors here are the faults themselves (reset, truncated body) or client hang-ups.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn handle(
    request: Request<Incoming>,
    state: Shared,
    forwarder: Forwarder,
    socket: Option<Arc<socket2::Socket>>,
) -> Result<Response<ProxyBody>, BoxError> {
    let method = request.method().clone();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    let (fault, gate) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        let gate = state.hold_for(method.as_str(), &path_and_query);
        (state.admit(method.as_str(), &path_and_query), gate)
    };
    if let Some(gate) = gate {
        gate.wait().await;
    }
    let (parts, body) = request.into_parts();
    // The request is read completely before any fault applies.
    let body = body.collect().await?.to_bytes();
    match fault {
        Fault::Pass => forward(&forwarder, parts, body).await,
        Fault::Latency(delay) => {
            tokio::time::sleep(delay).await;
            forward(&forwarder, parts, body).await
        }
        Fault::Reset => {
            if let Some(socket) = socket {
                socket.set_linger(Some(Duration::ZERO))?;
            }
            Err("injected connection reset".into())
        }
        Fault::Status { code, retry_after } => Ok(injected_status(code, retry_after)),
        Fault::TruncatedBody => {
            let answer = match forwarder
                .forward(parts.method, &path_and_query, &parts.headers, body)
                .await
            {
                Ok(answer) => answer,
                Err(e) => return Ok(bad_gateway(&e)),
            };
            Ok(truncated(answer))
        }
        Fault::DropResponse => {
            // The upstream applies the request; its answer is thrown away.
            let _ = forward(&forwarder, parts, body).await;
            if let Some(socket) = socket {
                socket.set_linger(Some(Duration::ZERO))?;
            }
            Err("injected: answer dropped after the upstream applied the request".into())
        }
        Fault::RawRetryAfter(value) => {
            let mut response = injected_status(503, None);
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Fault::NoAnswer => {
            // Never answers; the connection task ends when the proxy is dropped.
            std::future::pending::<()>().await;
            Err("unreachable: pending never completes".into())
        }
    }
}

async fn forward(
    forwarder: &Forwarder,
    parts: http::request::Parts,
    body: Bytes,
) -> Result<Response<ProxyBody>, BoxError> {
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    match forwarder
        .forward(parts.method.clone(), path_and_query, &parts.headers, body)
        .await
    {
        Ok(answer) => Ok(whole(answer)),
        Err(e) => Ok(bad_gateway(&e)),
    }
}

fn whole(answer: Answer) -> Response<ProxyBody> {
    let mut response = Response::new(full(answer.body));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
}

/// The real headers and `Content-Length`, half the body, then the connection is aborted.
fn truncated(answer: Answer) -> Response<ProxyBody> {
    let total = answer.body.len();
    let half = answer.body.slice(..total / 2);
    let frames = stream::once(async move { Ok::<_, BoxError>(Frame::data(half)) }).chain(
        stream::once(async {
            // Let the half reach the socket before the connection is torn down.
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err::<Frame<Bytes>, BoxError>("injected truncated body".into())
        }),
    );
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(total));
    response
}

fn injected_status(code: u16, retry_after: Option<u64>) -> Response<ProxyBody> {
    let mut response = Response::new(full(Bytes::from_static(
        br#"{"errors":["injected fault"]}"#,
    )));
    *response.status_mut() =
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn bad_gateway(error: &str) -> Response<ProxyBody> {
    let body = serde_json::json!({ "errors": [format!("fault proxy: upstream failed: {error}")] });
    let mut response = Response::new(full(Bytes::from(body.to_string())));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn full(bytes: Bytes) -> ProxyBody {
    Full::new(bytes)
        .map_err(|never: Infallible| match never {})
        .boxed()
}
