//! Bad input from a page, over the WebSocket as a page (or the adapter extension) sends it:
//! unknown methods, wrong argument types, malformed JSON, a message over the size limit, a page
//! that goes away mid-call. Each gets the real plugin's code (`BAD_PARAMS`) or a closed
//! connection; the bridge keeps serving and the token is unchanged. The origin check holds for
//! connections of the adapter extension.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::codes::constant;
use rutoken_plugin_bridge::extension::extension_origin;
use rutoken_plugin_bridge::server::{Bridge, Config, MAX_MESSAGE};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The fixture's user PIN (simulator fixtures, `Fixture::Personalised`).
const PIN: &str = "12345678";
/// `BAD_PARAMS` (Aktiv's pki-core error table).
const BAD_PARAMS: u64 = 2;
/// An origin the test allows besides the bridge's own.
const BANK: &str = "https://bank.example";

/// A bridge with a fresh personalised emulator in its SafeTouch on a free loopback port.
async fn bridge() -> SocketAddr {
    let token = backend::open(
        &TokenSource::Fixture(Fixture::Personalised),
        7,
        &DeviceProfile::default(),
    )
    .expect("the emulator");
    let config = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        allowed_origins: vec![BANK.to_owned()],
        demo: None,
        rutoken_js: None,
    };
    let bridge = Bridge::bind(config, token).await.expect("bind");
    let addr = bridge.local_addr().expect("addr");
    tokio::spawn(bridge.serve());
    addr
}

/// Opens the WebSocket as `origin` would (the browser sets `Origin`), with an optional query.
async fn open(addr: SocketAddr, origin: &str, query: &str) -> Result<Ws, tungstenite::Error> {
    let mut request = format!("ws://{addr}/ws{query}")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Origin", origin.parse().expect("header"));
    // No limit on our side: the test sends more than the bridge takes.
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    tokio_tungstenite::connect_async_with_config(request, Some(config), false)
        .await
        .map(|(ws, _)| ws)
}

async fn page(addr: SocketAddr) -> Ws {
    open(addr, BANK, "")
        .await
        .expect("an allowed page connects")
}

/// The next message that is an answer (has `id` or `error`), within 20 s.
async fn answer(ws: &mut Ws) -> Value {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("an answer in time")
            .expect("the connection is open")
            .expect("a message");
        if let Message::Text(text) = next {
            let v: Value = serde_json::from_str(text.as_str()).expect("JSON from the bridge");
            if v.get("id").is_some() || v.get("error").is_some() {
                return v;
            }
        }
    }
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into()))
        .await
        .expect("send");
}

async fn call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    send(ws, json!({"id": id, "method": method, "params": params})).await;
    let a = answer(ws).await;
    assert_eq!(a["id"], id, "{a}");
    a
}

/// How the connection ended: the close code the bridge sent, or `None` for a dropped socket.
async fn closed(ws: &mut Ws) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

/// What a page could change on the token: keys, certificates of each category, binary files,
/// the PIN's tries. Logs in (with the fixture's PIN) to see the keys.
async fn snapshot(addr: SocketAddr) -> Value {
    let mut ws = page(addr).await;
    let logged = call(
        &mut ws,
        1,
        "getDeviceInfo",
        json!([0, constant("TOKEN_INFO_IS_LOGGED_IN")]),
    )
    .await;
    if logged["result"] != true {
        assert!(call(&mut ws, 2, "login", json!([0, PIN])).await["result"].is_null());
    }
    let mut certs = Vec::new();
    for category in [
        "CERT_CATEGORY_USER",
        "CERT_CATEGORY_CA",
        "CERT_CATEGORY_OTHER",
    ] {
        certs.push(
            call(
                &mut ws,
                3,
                "enumerateCertificates",
                json!([0, constant(category)]),
            )
            .await,
        );
    }
    json!({
        "keys": call(&mut ws, 4, "enumerateKeys", json!([0, ""])).await,
        "certs": certs,
        "files": call(&mut ws, 5, "enumerateBinaryFiles", json!([0])).await,
        "pins": call(&mut ws, 6, "getDeviceInfo", json!([0, constant("TOKEN_INFO_PINS_INFO")])).await,
    })
}

/// The bridge still answers a new page.
async fn still_serving(addr: SocketAddr) {
    let mut ws = page(addr).await;
    let a = call(&mut ws, 99, "enumerateDevices", json!([])).await;
    assert_eq!(a["result"], json!([0]), "{a}");
}

fn code(a: &Value) -> u64 {
    a["error"]["code"]
        .as_u64()
        .unwrap_or_else(|| panic!("an error: {a}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_and_wrong_argument_types_get_bad_params() {
    let addr = bridge().await;
    let before = snapshot(addr).await;
    let mut ws = page(addr).await;
    // Logged out, so that `login` reads its arguments rather than answer ALREADY_LOGGED_IN.
    assert!(call(&mut ws, 1, "logout", json!([0])).await["result"].is_null());
    let cases = [
        ("formatHardDisk", json!([0])),
        ("__proto__", json!([])),
        ("login", json!([{"device": 0}, PIN])),
        ("login", json!([0, 12_345_678])),
        ("deleteKeyPair", json!([0, {"id": 1}])),
        ("deleteCertificate", json!([0, null])),
        ("generateKeyPair", json!([0, null, "", "not options"])),
        ("createBinaryFile", json!([0, ["name"], "AAAA", false])),
        ("changePin", json!([0, PIN, PIN, {"useAdminPin": "yes"}])),
        ("sign", json!([0, 1.5, "data", 0, {}])),
        ("enumerateKeys", json!([0, "", "one too many"])),
    ];
    for (i, (method, params)) in cases.iter().enumerate() {
        let id = 100 + i as u64;
        let a = call(&mut ws, id, method, params.clone()).await;
        assert_eq!(code(&a), BAD_PARAMS, "{method} {params}: {a}");
    }
    // Not a method name or not an argument list, but an id to answer: BAD_PARAMS for it.
    for (id, bad) in [
        (200, json!({"id": 200, "method": 5, "params": []})),
        (201, json!({"id": 201, "params": []})),
        (
            202,
            json!({"id": 202, "method": "enumerateDevices", "params": {"0": 1}}),
        ),
        (203, json!({"id": 203, "method": "logout", "params": "0"})),
    ] {
        send(&mut ws, bad.clone()).await;
        let a = answer(&mut ws).await;
        assert_eq!(a["id"], id, "{bad}: {a}");
        assert_eq!(code(&a), BAD_PARAMS, "{bad}: {a}");
    }
    // The same connection goes on.
    assert_eq!(
        call(&mut ws, 300, "enumerateDevices", json!([])).await["result"],
        json!([0])
    );
    assert_eq!(snapshot(addr).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_and_binary_close_the_connection_and_nothing_else() {
    let addr = bridge().await;
    let before = snapshot(addr).await;
    for bad in [
        "{\"id\": 1, \"method\": \"logout\", \"params\": [0]",
        "logout(0)",
        "[0]",
        "null",
        "42",
    ] {
        let mut ws = page(addr).await;
        ws.send(Message::Text(bad.into())).await.expect("send");
        assert_eq!(closed(&mut ws).await, Some(1007), "{bad}");
    }
    // A message of this protocol needs a method or an id to answer.
    let mut ws = page(addr).await;
    send(&mut ws, json!({"hello": true})).await;
    assert_eq!(closed(&mut ws).await, Some(1007));
    let mut ws = page(addr).await;
    ws.send(Message::Binary(vec![0x7b, 0x7d].into()))
        .await
        .expect("send");
    assert_eq!(closed(&mut ws).await, Some(1003));
    // Nested deeper than the JSON reader goes (serde_json stops at 128 levels): not JSON here.
    let mut ws = page(addr).await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    ws.send(Message::Text(deep.into())).await.expect("send");
    assert_eq!(closed(&mut ws).await, Some(1007));
    still_serving(addr).await;
    assert_eq!(snapshot(addr).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_limit_closes_the_connection() {
    let addr = bridge().await;
    let before = snapshot(addr).await;
    let mut ws = page(addr).await;
    // A call the bridge would carry out, were it not one byte over the limit.
    let head = r#"{"id":1,"method":"createBinaryFile","params":[0,"big",""#;
    let tail = r#"",false]}"#;
    let fill = MAX_MESSAGE + 1 - head.len() - tail.len();
    let big = format!("{head}{}{tail}", "A".repeat(fill));
    assert_eq!(big.len(), MAX_MESSAGE + 1);
    // The bridge may close while we still write: either way no answer comes.
    let _ = ws.send(Message::Text(big.into())).await;
    let end = closed(&mut ws).await;
    assert!(matches!(end, None | Some(1009)), "{end:?}");
    still_serving(addr).await;
    assert_eq!(snapshot(addr).await, before, "no file was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_gone_mid_call_finishes_that_call_and_starts_no_other() {
    let addr = bridge().await;
    let before = snapshot(addr).await;
    let keys = before["keys"]["result"].as_array().expect("keys").clone();
    assert!(!keys.is_empty(), "the fixture has a key pair");
    let certs = before["certs"][0]["result"]
        .as_array()
        .expect("certs")
        .clone();
    assert!(!certs.is_empty(), "the fixture has a user certificate");
    // The panel: the SafeTouch's screens.
    let mut panel = page(addr).await;
    send(&mut panel, json!({"panel": "subscribe"})).await;

    let mut ws = page(addr).await;
    // A signature hashed on the token waits for a press on the SafeTouch...
    send(
        &mut ws,
        json!({"id": 1, "method": "sign", "params": [0, certs[0], "aGVsbG8=", constant("DATA_FORMAT_BASE64"),
            {"useHardwareHash": true, "detached": true}]}),
    )
    .await;
    // ... then a deletion queued behind it; then the page goes away.
    send(
        &mut ws,
        json!({"id": 2, "method": "deleteKeyPair", "params": [0, keys[0]]}),
    )
    .await;
    let screen = loop {
        let next = tokio::time::timeout(Duration::from_secs(20), panel.next())
            .await
            .expect("a screen in time")
            .expect("open")
            .expect("message");
        let Message::Text(text) = next else { continue };
        let v: Value = serde_json::from_str(text.as_str()).expect("JSON");
        if v["event"] == "screen" && v["waiting"] == true {
            break v;
        }
    };
    drop(ws);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The person rejects; the signature ends, the deletion never starts.
    send(
        &mut panel,
        json!({"panel": "press", "screen": screen["id"], "button": "reject"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    still_serving(addr).await;
    assert_eq!(
        snapshot(addr).await,
        before,
        "the queued deletion did not run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_origin_check_holds_for_the_adapter_extension() {
    let addr = bridge().await;
    let ext = extension_origin();
    let own = format!("http://127.0.0.1:{}", addr.port());
    let refused = |r: Result<Ws, tungstenite::Error>| match r {
        Err(tungstenite::Error::Http(response)) => response.status() == 403,
        _ => false,
    };
    // Pages the bridge does not allow, directly or through the extension.
    assert!(refused(open(addr, "https://evil.example", "").await));
    assert!(refused(
        open(addr, &ext, "?page=https%3A%2F%2Fevil.example").await
    ));
    assert!(refused(open(addr, &ext, "?page=null").await));
    assert!(
        refused(open(addr, &ext, "").await),
        "the extension must name the page"
    );
    // Another extension cannot speak for an allowed page.
    assert!(refused(
        open(
            addr,
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "?page=https%3A%2F%2Fbank.example"
        )
        .await
    ));
    // A page cannot claim another page's origin by the query: its own Origin counts.
    assert!(refused(
        open(
            addr,
            "https://evil.example",
            "?page=https%3A%2F%2Fbank.example"
        )
        .await
    ));

    // Allowed pages through the extension get the plugin...
    for page_origin in [BANK, own.as_str()] {
        let query = format!(
            "?page={}",
            page_origin.replace(':', "%3A").replace('/', "%2F")
        );
        let mut ws = open(addr, &ext, &query)
            .await
            .expect("an allowed page through the extension");
        assert_eq!(
            call(&mut ws, 1, "enumerateDevices", json!([])).await["result"],
            json!([0])
        );
    }
    // ... but not the SafeTouch panel: a page through the adapter cannot press, pull or watch.
    let query = "?page=https%3A%2F%2Fbank.example";
    let mut ws = open(addr, &ext, query).await.expect("connects");
    send(&mut ws, json!({"panel": "subscribe"})).await;
    send(&mut ws, json!({"panel": "pull"})).await;
    let a = call(&mut ws, 2, "enumerateDevices", json!([])).await;
    assert_eq!(a["result"], json!([0]), "the pull was ignored: {a}");
    let extra = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
    assert!(
        extra.is_err(),
        "no panel events through the extension: {extra:?}"
    );
    // A page of its own origin has the panel (the demo's).
    let mut own_ws = open(addr, &own, "").await.expect("own origin");
    send(&mut own_ws, json!({"panel": "subscribe"})).await;
    let first = tokio::time::timeout(Duration::from_secs(5), own_ws.next())
        .await
        .expect("an event")
        .expect("open")
        .expect("message");
    let Message::Text(text) = first else {
        panic!("text")
    };
    let v: Value = serde_json::from_str(text.as_str()).expect("JSON");
    assert_eq!(v, json!({"event": "safetouch", "safetouch": "panel"}));
}
