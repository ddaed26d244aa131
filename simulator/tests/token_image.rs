//! The image file: round trip, 0600, clear errors that never overwrite, atomic replacement under
//! a crash injected at every write step, and the PIN counter's durability.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rutoken_sim::Card;
use rutoken_sim::token::storage::ImageStorage;
use rutoken_sim::token::{Fixture, Token, TokenError, TokenProfile};

fn apdu(hex_text: &str) -> Vec<u8> {
    hex::decode(hex_text.split_whitespace().collect::<String>()).expect("hex")
}

fn sw(answer: &[u8]) -> u16 {
    u16::from_be_bytes([answer[answer.len() - 2], answer[answer.len() - 1]])
}

const VERIFY_USER: &str = "00 20 00 02 08 3132333435363738";
const WRONG_USER: &str = "00 20 00 02 08 3030303030303030";

#[test]
fn image_round_trip_and_permissions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("token.img");
    let mut t =
        Token::create_image(&path, Fixture::Factory, 0, TokenProfile::default()).expect("create");
    assert_eq!(
        std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    assert!(matches!(
        Token::create_image(&path, Fixture::Factory, 0, TokenProfile::default()),
        Err(TokenError::Exists(_))
    ));
    assert_eq!(sw(&t.transmit(&apdu(WRONG_USER))), 0x63C9);
    assert_eq!(sw(&t.transmit(&apdu("80 8A 00 00"))), 0x9000);
    let on_disk = std::fs::read(&path).expect("read");
    assert_eq!(
        on_disk,
        t.snapshot().expect("snapshot"),
        "every change is on disk before the answer"
    );
    let reopened = Token::open_image(&path, TokenProfile::default()).expect("open");
    assert_eq!(
        reopened.snapshot().expect("snapshot"),
        t.snapshot().expect("snapshot")
    );
    let copy = Token::from_snapshot(&t.snapshot().expect("snapshot"), TokenProfile::default())
        .expect("snapshot");
    assert_eq!(copy.summary(), t.summary());
    assert!(
        !std::fs::read_dir(dir.path())
            .expect("dir")
            .any(|e| e.expect("e").file_name() != "token.img")
    );
}

#[test]
fn damaged_images_are_named_errors_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("token.img");
    let good = Token::create_image(&path, Fixture::Factory, 0, TokenProfile::default())
        .expect("create")
        .snapshot()
        .expect("snapshot");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() - 10].to_vec()),
        ("header only", good[..12].to_vec()),
        ("flipped", {
            let mut b = good.clone();
            let last = b.len() - 3;
            b[last] ^= 0x20;
            b
        }),
        ("newer", {
            let mut b = good.clone();
            b[11] = 9;
            b
        }),
        ("empty", Vec::new()),
        ("foreign", b"not an image at all, sorry".to_vec()),
    ];
    for (what, bytes) in cases {
        std::fs::write(&path, &bytes).expect("write");
        let err = Token::open_image(&path, TokenProfile::default()).expect_err(what);
        let message = err.to_string();
        assert!(
            message.contains(&path.display().to_string()),
            "{what}: {message}"
        );
        assert_eq!(
            std::fs::read(&path).expect("read"),
            bytes,
            "{what}: file untouched"
        );
        match what {
            "truncated" | "header only" | "empty" => {
                assert!(matches!(err, TokenError::Truncated { .. }), "{what}")
            }
            "newer" => assert!(matches!(err, TokenError::NewerVersion { found: 9, .. })),
            _ => assert!(matches!(err, TokenError::Corrupt { .. }), "{what}: {err}"),
        }
    }
    let missing = Token::open_image(&dir.path().join("missing.img"), TokenProfile::default())
        .expect_err("missing");
    assert!(matches!(missing, TokenError::Io { .. }));
}

/// A fake disk: `durable` is what survives a crash; the crash happens at step `crash_at`
/// (counting every storage call), after which every call fails.
#[derive(Default)]
struct Disk {
    durable: Vec<u8>,
    aside: Option<Vec<u8>>,
    aside_synced: bool,
    /// Renamed but the directory not yet synced: after a crash the old or the new may be seen.
    renamed_pending: Option<Vec<u8>>,
    step: usize,
    crash_at: Option<usize>,
    crashed: bool,
    /// After a crash in the pending-rename window, the new file won.
    rename_survives: bool,
}

#[derive(Clone)]
struct FakeStorage(Arc<Mutex<Disk>>, PathBuf);

impl FakeStorage {
    fn tick(&self) -> io::Result<std::sync::MutexGuard<'_, Disk>> {
        let mut disk = self.0.lock().expect("lock");
        if disk.crashed {
            return Err(io::Error::other("crashed"));
        }
        disk.step += 1;
        if disk.crash_at == Some(disk.step) {
            disk.crashed = true;
            if let Some(new) = disk.renamed_pending.take()
                && disk.rename_survives
            {
                disk.durable = new;
            }
            return Err(io::Error::other("injected crash"));
        }
        Ok(disk)
    }
}

impl ImageStorage for FakeStorage {
    fn path(&self) -> &Path {
        &self.1
    }
    fn read(&mut self) -> io::Result<Vec<u8>> {
        let disk = self.0.lock().expect("lock");
        Ok(disk
            .renamed_pending
            .clone()
            .unwrap_or_else(|| disk.durable.clone()))
    }
    fn write_aside(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut disk = self.tick()?;
        disk.aside = Some(bytes.to_vec());
        disk.aside_synced = false;
        Ok(())
    }
    fn sync_aside(&mut self) -> io::Result<()> {
        self.tick()?.aside_synced = true;
        Ok(())
    }
    fn rename_over(&mut self) -> io::Result<()> {
        let mut disk = self.tick()?;
        // Renaming an unsynced file could expose garbage after a crash: the protocol forbids it.
        assert!(disk.aside_synced, "rename before fsync");
        disk.renamed_pending = disk.aside.take();
        Ok(())
    }
    fn sync_dir(&mut self) -> io::Result<()> {
        let mut disk = self.tick()?;
        if let Some(new) = disk.renamed_pending.take() {
            disk.durable = new;
        }
        Ok(())
    }
}

fn token_on(disk: &Arc<Mutex<Disk>>) -> Token {
    Token::open_storage(
        Box::new(FakeStorage(disk.clone(), PathBuf::from("fake.img"))),
        TokenProfile::default(),
    )
    .expect("open")
}

fn disk_with(image: &[u8], crash_at: Option<usize>, rename_survives: bool) -> Arc<Mutex<Disk>> {
    Arc::new(Mutex::new(Disk {
        durable: image.to_vec(),
        crash_at,
        rename_survives,
        ..Disk::default()
    }))
}

/// Prepares a token, then runs `command`; returns (image before, image after, steps it took).
fn clean_run(setup: &[&str], command: &str) -> (Vec<u8>, Vec<u8>, usize) {
    let base = Token::in_memory(Fixture::Factory, 0, TokenProfile::default())
        .expect("token")
        .snapshot()
        .expect("snapshot");
    let disk = disk_with(&base, None, false);
    let mut t = token_on(&disk);
    for s in setup {
        t.transmit(&apdu(s));
    }
    let before = t.snapshot().expect("snapshot");
    let steps_before = disk.lock().expect("lock").step;
    let answer = t.transmit(&apdu(command));
    assert_eq!(sw(&answer), 0x9000, "{command}");
    let after = t.snapshot().expect("snapshot");
    let steps = disk.lock().expect("lock").step - steps_before;
    assert_eq!(disk.lock().expect("lock").durable, after);
    (before, after, steps)
}

#[test]
fn a_crash_at_every_write_step_leaves_before_or_after() {
    let user = VERIFY_USER;
    let cases: [(&[&str], &str); 4] = [
        (
            &[user, "00 A4 00 00 02 3F00 00"],
            "00 E0 00 00 1F 6F1D 8002 0010 8202 0100 8302 0101 860F 430000000000000100000000000000",
        ),
        (
            &[
                user,
                "00 A4 00 00 02 3F00 00",
                "00 E0 00 00 1F 6F1D 8002 0010 8202 0100 8302 0101 860F 430000000000000100000000000000",
                "00 A4 08 00 02 0101 00",
            ],
            "00 D6 00 00 04 01020304",
        ),
        (&[], "80 8A 00 00"),
        (&["80 8A 00 00"], "80 84 4E 19"),
    ];
    for (setup, command) in cases {
        let (before, after, steps) = clean_run(setup, command);
        assert_eq!(steps, 4, "write aside, fsync, rename, fsync dir");
        assert_ne!(before, after);
        for crash_at in 1..=steps {
            for rename_survives in [false, true] {
                let disk = disk_with(&before, None, rename_survives);
                let mut t = token_on(&disk);
                // Rebuild the session (logins, selection) without touching the image.
                for s in setup {
                    t.transmit(&apdu(s));
                }
                disk.lock().expect("lock").durable = before.clone();
                let at = disk.lock().expect("lock").step + crash_at;
                disk.lock().expect("lock").crash_at = Some(at);
                let answer = t.transmit(&apdu(command));
                assert_eq!(
                    sw(&answer),
                    0x6581,
                    "{command}: a failed write is a memory failure"
                );
                assert_eq!(
                    t.snapshot().expect("snapshot"),
                    before,
                    "{command}: in memory the command did not happen"
                );
                let survived = disk.lock().expect("lock").durable.clone();
                let reloaded =
                    Token::from_snapshot(&survived, TokenProfile::default()).expect("loadable");
                assert!(
                    reloaded.snapshot().expect("snapshot") == before
                        || reloaded.snapshot().expect("snapshot") == after,
                    "{command}: crash at step {crash_at} left a third state"
                );
            }
        }
    }
}

fn user_tries(image: &[u8]) -> String {
    let summary = Token::from_snapshot(image, TokenProfile::default())
        .expect("load")
        .summary();
    summary
        .pins
        .iter()
        .find(|p| p.reference == 2)
        .map(|p| format!("{}/{}", p.tries_left, p.max_tries))
        .expect("user")
}

#[test]
fn a_wrong_pin_costs_a_try_even_if_power_is_cut() {
    let base = Token::in_memory(Fixture::Factory, 0, TokenProfile::default())
        .expect("token")
        .snapshot()
        .expect("snapshot");
    // Crash at each of the 4 steps of the decrement's write. The comparison only happens after
    // the write has completed, so no answer (9000 or 63Cx) can leave without a durable decrement.
    for crash_at in 1..=4 {
        for rename_survives in [false, true] {
            let disk = disk_with(&base, Some(crash_at), rename_survives);
            let mut t = token_on(&disk);
            let answer = t.transmit(&apdu(WRONG_USER));
            assert_eq!(
                sw(&answer),
                0x6581,
                "no verdict without a durable decrement"
            );
            let survived = disk.lock().expect("lock").durable.clone();
            assert!(matches!(user_tries(&survived).as_str(), "10/10" | "9/10"));
        }
    }
    // No crash: the verdict comes with the decrement on disk.
    let disk = disk_with(&base, None, false);
    let mut t = token_on(&disk);
    assert_eq!(sw(&t.transmit(&apdu(WRONG_USER))), 0x63C9);
    assert_eq!(user_tries(&disk.lock().expect("lock").durable), "9/10");
    // The right PIN after a crash between the decrement and the reset: the try stays spent,
    // and the token does not say 9000.
    let disk = disk_with(&base, Some(5), false);
    let mut t = token_on(&disk);
    assert_eq!(sw(&t.transmit(&apdu(VERIFY_USER))), 0x6581);
    assert_eq!(user_tries(&disk.lock().expect("lock").durable), "9/10");
    assert_eq!(
        sw(&t.transmit(&apdu("00 20 00 02"))),
        0x63C9,
        "asking the counter writes nothing"
    );
    assert_eq!(
        sw(&t.transmit(&apdu(WRONG_USER))),
        0x6581,
        "the dead disk fails every write"
    );
}

/// An image whose checksum is right but whose structure is not (two files with one FID, a
/// directory out of FID order, a root that is not the MF) is refused at load, naming the file
/// and what is wrong, and the file is left alone.
#[test]
fn structurally_broken_images_are_refused_at_load() {
    use rutoken_sim::token::image;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("token.img");
    let good = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default())
        .expect("token")
        .snapshot()
        .expect("snapshot");
    let state = || image::decode(&good, &path).expect("the good image loads");
    let children = |s: &mut rutoken_sim::token::state::State| {
        s.mf.as_mut()
            .expect("mf")
            .children_mut()
            .expect("a DF")
            .clone()
    };

    let mut duplicate = state();
    let mut kids = children(&mut duplicate);
    let first = kids.first().expect("a child").clone();
    kids.insert(1, first.clone());
    *duplicate
        .mf
        .as_mut()
        .expect("mf")
        .children_mut()
        .expect("DF") = kids;

    let mut unordered = state();
    let mut kids = children(&mut unordered);
    assert!(kids.len() >= 2, "the personalised MF has several children");
    kids.reverse();
    *unordered
        .mf
        .as_mut()
        .expect("mf")
        .children_mut()
        .expect("DF") = kids;

    let mut not_mf = state();
    not_mf.mf.as_mut().expect("mf").fid = 0x3F01;

    for (what, broken, expected) in [
        (
            "duplicate",
            duplicate,
            format!("two files with ID {:04X} in 3F00", first.fid),
        ),
        ("unordered", unordered, "out of ID order".to_string()),
        ("not the MF", not_mf, "not the MF".to_string()),
    ] {
        let bytes = image::encode(&broken).expect("encode");
        std::fs::write(&path, &bytes).expect("write");
        let err = Token::open_image(&path, TokenProfile::default()).expect_err(what);
        assert!(matches!(err, TokenError::Corrupt { .. }), "{what}: {err}");
        let message = err.to_string();
        assert!(message.contains(&expected), "{what}: {message}");
        assert!(
            message.contains(&path.display().to_string()),
            "{what}: {message}"
        );
        assert_eq!(
            std::fs::read(&path).expect("read"),
            bytes,
            "{what}: untouched"
        );
        assert!(Token::from_snapshot(&bytes, TokenProfile::default()).is_err());
    }
    // Every fixture passes the same validation.
    for fixture in [Fixture::Factory, Fixture::Personalised] {
        let t = Token::in_memory(fixture, 7, TokenProfile::default()).expect("token");
        Token::from_snapshot(&t.snapshot().expect("snapshot"), TokenProfile::default())
            .expect("a fixture image is valid");
    }
}
