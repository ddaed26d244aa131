//! The HTTP side: the JavaScript file, the WebSocket the plugin object talks over, and (with
//! `--demo`) the demo page, its SafeTouch panel and the demo bank. Loopback only; the
//! WebSocket and the bank answer only pages from allowed origins.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use rutoken_sim::safetouch::{EventKind, Press, SafeTouchMonitor, Screen};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::api::{self, Connection};
use crate::bank::Bank;
use crate::error::BridgeError;
use crate::panel::PanelInput;
use crate::slot::Slot;

const PLUGIN_JS: &str = include_str!("../assets/rutoken-plugin.js");
const LOADER_JS: &str = include_str!("../assets/loader.js");
const DEMO_HTML: &str = include_str!("../assets/demo.html");
const DEMO_JS: &str = include_str!("../assets/demo.js");
const PANEL_JS: &str = include_str!("../assets/panel.js");
const DEMO_CSS: &str = include_str!("../assets/demo.css");

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
        let plugin_js =
            PLUGIN_JS.replace("/*CONSTANTS*/{}", &crate::codes::constants().to_string());
        let loader = if config.rutoken_js.is_some() {
            "/vendor/rutoken.js"
        } else {
            "/loader.js"
        };
        let demo_html = DEMO_HTML.replace("{{LOADER}}", loader);
        let app = Arc::new(App {
            demo_html,
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
        .is_some_and(|o| app.origins.iter().any(|a| a == o))
}

async fn ws(ws: WebSocketUpgrade, headers: HeaderMap, State(app): State<Arc<App>>) -> Response {
    if !origin_allowed(&app, &headers) {
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .unwrap_or("(none)")
            .to_owned();
        eprintln!("rutoken-lab plugin: refused a connection from origin {origin}");
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    ws.on_upgrade(move |socket| connection(socket, app))
}

async fn connection(socket: WebSocket, app: Arc<App>) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        while let Some(text) = out_rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    let conn = Arc::new(Mutex::new(Connection::default()));
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(request) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        if let Some(action) = request.get("panel").and_then(Value::as_str) {
            panel_action(&app, action, &request, &out_tx);
            continue;
        }
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let params = request
            .get("params")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let app = Arc::clone(&app);
        let conn = Arc::clone(&conn);
        let out = out_tx.clone();
        tokio::task::spawn_blocking(move || {
            let answer = match api::call(&app.token.slot, &conn, &method, &params) {
                Ok(result) => json!({"id": id, "result": result}),
                Err(e) => {
                    // The code and what broke; never arguments (PINs).
                    eprintln!("rutoken-lab plugin: {method}: {e}");
                    json!({"id": id, "error": {"code": e.code.code(), "name": e.code.name()}})
                }
            };
            let _ = out.send(answer.to_string());
        });
    }
    writer.abort();
}

fn panel_action(
    app: &Arc<App>,
    action: &str,
    request: &Value,
    out: &mpsc::UnboundedSender<String>,
) {
    match action {
        "subscribe" => {
            let presence = json!({"event": "presence", "present": app.token.slot.present()});
            let _ = out.send(presence.to_string());
            if let Some(monitor) = &app.token.monitor {
                let _ = out.send(screen_json(&monitor.screen()).to_string());
            }
            let mut rx = app.events.subscribe();
            let out = out.clone();
            tokio::spawn(async move {
                loop {
                    match rx.recv().await {
                        Ok(text) => {
                            if out.send(text).is_err() {
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
