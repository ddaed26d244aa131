//! The HTTP side: the JavaScript file, the WebSocket the plugin object talks over, and (with
//! `--demo`) the demo page, its SafeTouch panel and the demo bank. Loopback only; the
//! WebSocket and the bank answer only pages from allowed origins.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use rutoken_device::safetouch::{EventKind, Press, SafeTouchMonitor, Screen};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::api::{self, Connection};
use crate::bank::Bank;
use crate::error::BridgeError;
use crate::panel::PanelInput;
use crate::slot::Slot;

const LOADER_JS: &str = include_str!("../assets/loader.js");
const DEMO_HTML: &str = include_str!("../assets/demo.html");
const DEMO_JS: &str = include_str!("../assets/demo.js");
const PANEL_JS: &str = include_str!("../assets/panel.js");
const DEMO_CSS: &str = include_str!("../assets/demo.css");
/// The line of the demo page that loads the bridge's script; `/extension` serves the page
/// without it (the adapter extension provides the object).
const SCRIPT_TAG: &str = "<script src=\"/rutoken-plugin.js\"></script>\n";

/// The largest message a page may send (bytes of one WebSocket message): ours, the default of
/// axum's WebSocket (tungstenite) stated here so that tests can cross it. A bigger one closes
/// the connection (1009, message too big) before any of it is parsed.
pub const MAX_MESSAGE: usize = 64 << 20;

/// How the bridge is set up.
pub struct Config {
    /// Where to listen (loopback only).
    pub addr: SocketAddr,
    /// Origins allowed besides the bridge's own.
    pub allowed_origins: Vec<String>,
    /// Serve the demo page and the demo bank.
    pub demo: Option<Bank>,
    /// Aktiv's loader (`rutoken` npm package) to serve at `/vendor/rutoken.js`, if given.
    pub rutoken_js: Option<String>,
}

/// The token side the server drives.
pub struct Token {
    /// The slot.
    pub slot: Arc<Slot>,
    /// The SafeTouch's screen, when the token sits in the in-process one.
    pub monitor: Option<SafeTouchMonitor>,
    /// Its buttons.
    pub panel: Option<std::sync::mpsc::Sender<PanelInput>>,
}

struct App {
    token: Token,
    origins: Vec<String>,
    bank: Option<Mutex<Bank>>,
    rutoken_js: Option<String>,
    plugin_js: String,
    demo_html: String,
    demo_html_no_tag: String,
    events: broadcast::Sender<String>,
}

/// Refuses any address that is not loopback.
pub fn check_loopback(ip: IpAddr) -> Result<(), BridgeError> {
    if ip.is_loopback() {
        Ok(())
    } else {
        Err(BridgeError::NotLoopback(ip))
    }
}

/// Checks an origin's form (`scheme://host[:port]`, no path).
pub fn check_origin_form(origin: &str) -> Result<(), BridgeError> {
    let ok = origin.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty() && !rest.is_empty() && !rest.contains('/')
    });
    if ok {
        Ok(())
    } else {
        Err(BridgeError::BadOrigin(origin.to_owned()))
    }
}

fn screen_json(screen: &Screen) -> Value {
    json!({
        "event": "screen",
        "id": screen.id,
        "lines": screen.lines,
        "page": screen.page,
        "rows": screen.rows,
        "columns": screen.columns,
        "waiting": screen.waiting,
    })
}

/// A bound listener and the app; `serve` runs it.
pub struct Bridge {
    listener: tokio::net::TcpListener,
    app: Arc<App>,
}

impl Bridge {
    /// Binds (loopback only) and prepares the app.
    pub async fn bind(config: Config, token: Token) -> Result<Self, BridgeError> {
        check_loopback(config.addr.ip())?;
        for o in &config.allowed_origins {
            check_origin_form(o)?;
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| BridgeError::Bind {
                addr: config.addr,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| BridgeError::Bind {
            addr: config.addr,
            source,
        })?;
        let mut origins = vec![
            format!("http://127.0.0.1:{}", local.port()),
            format!("http://localhost:{}", local.port()),
            format!("http://[::1]:{}", local.port()),
        ];
        origins.extend(config.allowed_origins);
        let (events, _) = broadcast::channel(64);
        if let Some(monitor) = &token.monitor {
            forward_screens(monitor.clone(), events.clone());
        }
        let plugin_js = crate::extension::plugin_script(false);
        let loader = if config.rutoken_js.is_some() {
            "/vendor/rutoken.js"
        } else {
            "/loader.js"
        };
        let demo_html = DEMO_HTML.replace("{{LOADER}}", loader);
        let demo_html_no_tag = demo_html.replacen(SCRIPT_TAG, "", 1);
        let app = Arc::new(App {
            demo_html,
            demo_html_no_tag,
            token,
            origins,
            bank: config.demo.map(Mutex::new),
            rutoken_js: config.rutoken_js,
            plugin_js,
            events,
        });
        Ok(Bridge { listener, app })
    }

    /// The address actually bound (port 0 picks a free one).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    pub async fn serve(self) -> Result<(), BridgeError> {
        let mut router = Router::new()
            .route("/rutoken-plugin.js", get(plugin_js))
            .route("/loader.js", get(|| async { js(LOADER_JS.to_owned()) }))
            .route("/ws", get(ws))
            .route("/vendor/rutoken.js", get(vendor_js));
        if self.app.bank.is_some() {
            router = router
                .route("/", get(demo_html))
                .route("/extension", get(demo_html_no_tag))
                .route("/demo.js", get(|| async { js(DEMO_JS.to_owned()) }))
                .route("/panel.js", get(|| async { js(PANEL_JS.to_owned()) }))
                .route(
                    "/demo.css",
                    get(|| async { typed("text/css; charset=utf-8", DEMO_CSS.to_owned()) }),
                )
                .route("/bank/document", post(bank_document))
                .route("/bank/ca", post(bank_ca));
        }
        let router = router.with_state(self.app);
        axum::serve(self.listener, router)
            .await
            .map_err(BridgeError::Serve)
    }
}

/// Every SafeTouch event becomes a screen message for the panels.
fn forward_screens(monitor: SafeTouchMonitor, events: broadcast::Sender<String>) {
    let rx = monitor.subscribe();
    std::thread::spawn(move || {
        while let Ok(event) = rx.recv() {
            let screen = match event.kind {
                EventKind::Shown { .. } => monitor.screen(),
                _ => {
                    let now = monitor.screen();
                    Screen::idle(now.rows, now.columns)
                }
            };
            // No panel listening is fine.
            let _ = events.send(screen_json(&screen).to_string());
        }
    });
}

fn typed(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn js(body: String) -> Response {
    typed("text/javascript; charset=utf-8", body)
}

async fn plugin_js(State(app): State<Arc<App>>) -> Response {
    js(app.plugin_js.clone())
}

async fn demo_html(State(app): State<Arc<App>>) -> Response {
    typed("text/html; charset=utf-8", app.demo_html.clone())
}

async fn demo_html_no_tag(State(app): State<Arc<App>>) -> Response {
    typed("text/html; charset=utf-8", app.demo_html_no_tag.clone())
}

async fn vendor_js(State(app): State<Arc<App>>) -> Response {
    match &app.rutoken_js {
        Some(text) => js(text.clone()),
        None => (
            StatusCode::NOT_FOUND,
            "start the bridge with --rutoken-js FILE",
        )
            .into_response(),
    }
}

fn origin_allowed(app: &App, headers: &HeaderMap) -> bool {
    headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| page_allowed(app, o))
}

fn page_allowed(app: &App, origin: &str) -> bool {
    app.origins.iter().any(|a| a == origin)
}

/// The WebSocket's query: the adapter extension names the page it carries.
#[derive(serde::Deserialize)]
struct WsQuery {
    /// The page's origin as the browser reported it to the extension (`port.sender.origin`).
    page: Option<String>,
}

/// Who is on the other end of a WebSocket, once the origin check passed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Peer {
    /// A page that loaded the bridge's script, or the demo's panel.
    Page,
    /// A page through the adapter extension: plugin calls only, no panel.
    Extension,
}

/// The origin check. A page connects from its own origin (the browser sets `Origin`), which
/// must be allowed. The adapter extension connects from its origin and names the page it
/// carries: that page's origin must be allowed just the same; no other extension is accepted.
fn admit(app: &App, headers: &HeaderMap, query: &WsQuery) -> Result<Peer, String> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .unwrap_or("(none)");
    if origin == crate::extension::extension_origin() {
        return match &query.page {
            Some(page) if page_allowed(app, page) => Ok(Peer::Extension),
            Some(page) => Err(format!("page {page} through the adapter extension")),
            None => Err("the adapter extension without a page".to_owned()),
        };
    }
    if page_allowed(app, origin) {
        Ok(Peer::Page)
    } else {
        Err(format!("origin {origin}"))
    }
}

async fn ws(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    Query(query): Query<WsQuery>,
    State(app): State<Arc<App>>,
) -> Response {
    let peer = match admit(&app, &headers, &query) {
        Ok(peer) => peer,
        Err(who) => {
            eprintln!("rutoken-lab plugin: refused a connection from {who}");
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        }
    };
    ws.max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| connection(socket, app, peer))
}

/// One plugin call as the page sent it.
struct CallRequest {
    id: Value,
    method: String,
    params: Vec<Value>,
}

/// Reads a call. `Err` with an id: the page gets `BAD_PARAMS` for it (as for wrong arguments);
/// `Err(None)`: not a message of this protocol, and the connection closes.
fn parse_call(request: &Value) -> Result<CallRequest, Option<Value>> {
    let Value::Object(fields) = request else {
        return Err(None);
    };
    let id = fields.get("id").cloned().unwrap_or(Value::Null);
    let method = fields.get("method").and_then(Value::as_str);
    let params = match fields.get("params") {
        None => Some(Vec::new()),
        Some(Value::Array(list)) => Some(list.clone()),
        Some(_) => None,
    };
    match (method, params) {
        (Some(method), Some(params)) => Ok(CallRequest {
            id,
            method: method.to_owned(),
            params,
        }),
        _ if id.is_null() => Err(None),
        _ => Err(Some(id)),
    }
}

fn close(out: &mpsc::UnboundedSender<Message>, code: u16, reason: &'static str) {
    let _ = out.send(Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    })));
}

async fn connection(socket: WebSocket, app: Arc<App>, peer: Peer) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
    let mut writer = tokio::spawn(async move {
        while let Some(message) = out_rx.recv().await {
            let last = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || last {
                break;
            }
        }
    });
    // The page's calls, one after another in the order sent (the token does one thing at a
    // time anyway). Once the page is gone, the call on the token finishes — never half done —
    // and the ones after it never start.
    let gone = Arc::new(AtomicBool::new(false));
    let mut closing = false;
    let (call_tx, call_rx) = mpsc::unbounded_channel::<CallRequest>();
    let calls = tokio::spawn(run_calls(
        Arc::clone(&app),
        call_rx,
        out_tx.clone(),
        Arc::clone(&gone),
    ));
    // A message over MAX_MESSAGE or a broken frame ends the stream with an error: the
    // connection closes (tungstenite has sent 1009 / 1002 where it could).
    while let Some(Ok(message)) = stream.next().await {
        let text = match message {
            Message::Text(text) => text,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => break,
            Message::Binary(_) => {
                close(&out_tx, close_code::UNSUPPORTED, "text messages only");
                closing = true;
                break;
            }
        };
        let Ok(request) = serde_json::from_str::<Value>(text.as_str()) else {
            close(&out_tx, close_code::INVALID, "not JSON");
            closing = true;
            break;
        };
        if let Some(action) = request.get("panel").and_then(Value::as_str) {
            // The SafeTouch's buttons are the person's, never a page's through the adapter.
            if peer == Peer::Page {
                panel_action(&app, action, &request, &out_tx);
            }
            continue;
        }
        match parse_call(&request) {
            Ok(call) => {
                if call_tx.send(call).is_err() {
                    break;
                }
            }
            Err(Some(id)) => {
                let code = crate::codes::ErrorCode::BadParams;
                let answer = json!({"id": id, "error": {"code": code.code(), "name": code.name()}});
                let _ = out_tx.send(Message::Text(answer.to_string().into()));
            }
            Err(None) => {
                close(&out_tx, close_code::INVALID, "not a plugin call");
                closing = true;
                break;
            }
        }
    }
    gone.store(true, Ordering::SeqCst);
    drop(call_tx);
    if closing {
        // Let the Close frame go out before the socket drops.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), &mut writer).await;
    }
    writer.abort();
    // `calls` runs on: it finishes the call on the token and drops the rest.
    drop(calls);
}

async fn run_calls(
    app: Arc<App>,
    mut calls: mpsc::UnboundedReceiver<CallRequest>,
    out: mpsc::UnboundedSender<Message>,
    gone: Arc<AtomicBool>,
) {
    let conn = Arc::new(Mutex::new(Connection::default()));
    while let Some(CallRequest { id, method, params }) = calls.recv().await {
        if gone.load(Ordering::SeqCst) {
            eprintln!("rutoken-lab plugin: {method}: not started, the page has gone");
            continue;
        }
        let app = Arc::clone(&app);
        let conn = Arc::clone(&conn);
        let call_id = id.clone();
        let answer = tokio::task::spawn_blocking(move || {
            match api::call(&app.token.slot, &conn, &method, &params) {
                Ok(result) => json!({"id": id, "result": result}),
                Err(e) => {
                    // The code and what broke; never arguments (PINs).
                    eprintln!("rutoken-lab plugin: {method}: {e}");
                    json!({"id": id, "error": {"code": e.code.code(), "name": e.code.name()}})
                }
            }
        })
        .await;
        match answer {
            Ok(answer) => {
                let _ = out.send(Message::Text(answer.to_string().into()));
            }
            Err(e) => {
                // A method that panicked is a bug of ours; the bridge and the other pages go on.
                eprintln!("rutoken-lab plugin: a call failed inside the bridge: {e}");
                let code = crate::codes::ErrorCode::UnknownError;
                let answer =
                    json!({"id": call_id, "error": {"code": code.code(), "name": code.name()}});
                let _ = out.send(Message::Text(answer.to_string().into()));
            }
        }
    }
}

fn panel_action(
    app: &Arc<App>,
    action: &str,
    request: &Value,
    out: &mpsc::UnboundedSender<Message>,
) {
    match action {
        "subscribe" => {
            // Where the SafeTouch's screen and buttons are: on this panel (the in-process
            // SafeTouch) or with the token behind `--reader`, pressed there.
            let at = if app.token.monitor.is_some() {
                "panel"
            } else {
                "reader"
            };
            let at = json!({"event": "safetouch", "safetouch": at});
            let _ = out.send(Message::Text(at.to_string().into()));
            let presence = json!({"event": "presence", "present": app.token.slot.present()});
            let _ = out.send(Message::Text(presence.to_string().into()));
            if let Some(monitor) = &app.token.monitor {
                let _ = out.send(Message::Text(
                    screen_json(&monitor.screen()).to_string().into(),
                ));
            }
            let mut rx = app.events.subscribe();
            let out = out.clone();
            tokio::spawn(async move {
                loop {
                    match rx.recv().await {
                        Ok(text) => {
                            if out.send(Message::Text(text.into())).is_err() {
                                break;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => break,
                    }
                }
            });
        }
        "press" => {
            let press = match request.get("button").and_then(Value::as_str) {
                Some("confirm") => Press::Confirm,
                Some("reject") => Press::Reject,
                _ => return,
            };
            let screen = request.get("screen").and_then(Value::as_u64).unwrap_or(0);
            if let Some(panel) = &app.token.panel {
                let _ = panel.send(PanelInput::Press { screen, press });
            }
        }
        "page" => {
            // The device scrolls a long screen; the panel's «▼» does it here.
            if let Some(monitor) = &app.token.monitor {
                let screen = monitor.turn_page();
                let _ = app.events.send(screen_json(&screen).to_string());
            }
        }
        "pull" => {
            app.token.slot.pull();
            let _ = app
                .events
                .send(json!({"event": "presence", "present": false}).to_string());
        }
        "insert" => {
            app.token.slot.insert();
            let _ = app
                .events
                .send(json!({"event": "presence", "present": true}).to_string());
        }
        _ => {}
    }
}

fn bank_call(
    app: &App,
    headers: &HeaderMap,
    body: &str,
    op: impl FnOnce(&mut Bank, &Value) -> Result<Value, crate::bank::BankError>,
) -> Response {
    if !origin_allowed(app, headers) {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let Some(bank) = &app.bank else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "not JSON"})),
        )
            .into_response();
    };
    let mut bank = bank.lock().unwrap_or_else(PoisonError::into_inner);
    match op(&mut bank, &body) {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn bank_document(State(app): State<Arc<App>>, headers: HeaderMap, body: String) -> Response {
    bank_call(&app, &headers, &body, Bank::document)
}

async fn bank_ca(State(app): State<Arc<App>>, headers: HeaderMap, body: String) -> Response {
    bank_call(&app, &headers, &body, Bank::issue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_served() {
        assert!(check_loopback("127.0.0.1".parse().unwrap()).is_ok());
        assert!(check_loopback("127.5.6.7".parse().unwrap()).is_ok());
        assert!(check_loopback("::1".parse().unwrap()).is_ok());
        for bad in ["0.0.0.0", "192.168.1.10", "::", "10.0.0.1"] {
            let err = check_loopback(bad.parse().unwrap()).unwrap_err();
            assert!(err.to_string().contains("loopback"), "{err}");
        }
    }

    #[test]
    fn origins_must_be_scheme_and_host() {
        assert!(check_origin_form("https://bank.example").is_ok());
        assert!(check_origin_form("http://localhost:8080").is_ok());
        assert!(check_origin_form("bank.example").is_err());
        assert!(check_origin_form("https://bank.example/path").is_err());
    }
}
