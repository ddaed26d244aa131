//! Where an image lives, as the four steps of an atomic replace (write aside, fsync, rename,
//! fsync the directory), so tests can inject a crash at every step.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::image;
use super::state::State;

/// The storage of one image. Implemented by [`FileStorage`] and [`MemoryStorage`]; tests
/// implement it with a fake disk that "crashes" at a chosen step.
pub trait ImageStorage: Send {
    /// The image's name for error messages.
    fn path(&self) -> &Path;
    /// Reads the whole current image.
    fn read(&mut self) -> io::Result<Vec<u8>>;
    /// Step 1: writes the new image beside the current one (created 0600).
    fn write_aside(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Step 2: makes the file written aside durable.
    fn sync_aside(&mut self) -> io::Result<()>;
    /// Step 3: renames it over the image (atomic).
    fn rename_over(&mut self) -> io::Result<()>;
    /// Step 4: makes the rename durable (fsync of the directory).
    fn sync_dir(&mut self) -> io::Result<()>;
    /// Replaces the image with that of `state`, as the token does after every change. By
    /// default the state is encoded ([`image::encode`]) and written in the four steps of
    /// [`write_atomic`]; a storage that keeps its image in memory may keep the (immutable)
    /// state instead and encode it when it is read.
    fn store(&mut self, state: &Arc<State>) -> io::Result<()> {
        let bytes = image::encode(state).map_err(io::Error::other)?;
        write_atomic(self, &bytes)
    }
}

/// Replaces the image with `bytes`: after a crash at any instant the image is the old one or
/// the new one, never a mix.
pub fn write_atomic<S: ImageStorage + ?Sized>(storage: &mut S, bytes: &[u8]) -> io::Result<()> {
    storage.write_aside(bytes)?;
    storage.sync_aside()?;
    storage.rename_over()?;
    storage.sync_dir()
}

/// An image file on disk.
pub struct FileStorage {
    path: PathBuf,
    aside: PathBuf,
    file: Option<File>,
}

impl FileStorage {
    /// The storage of the image at `path` (nothing is opened yet).
    pub fn new(path: &Path) -> Self {
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".tmp");
        FileStorage {
            path: path.to_path_buf(),
            aside: path.with_file_name(name),
            file: None,
        }
    }
}

impl ImageStorage for FileStorage {
    fn path(&self) -> &Path {
        &self.path
    }
    fn read(&mut self) -> io::Result<Vec<u8>> {
        fs::read(&self.path)
    }
    fn write_aside(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&self.aside)?;
        file.write_all(bytes)?;
        self.file = Some(file);
        Ok(())
    }
    fn sync_aside(&mut self) -> io::Result<()> {
        match self.file.take() {
            Some(file) => file.sync_all(),
            None => Err(io::Error::other("nothing written aside")),
        }
    }
    fn rename_over(&mut self) -> io::Result<()> {
        fs::rename(&self.aside, &self.path)
    }
    fn sync_dir(&mut self) -> io::Result<()> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
}

/// An image kept in memory, for the in-process conformance target. The token hands it its
/// state after every change, as it writes a file; this storage keeps that state as it was
/// written (an immutable snapshot, shared with the token until the token next changes it) and
/// encodes it only when the image is read: a restart, through a clone (clones share the
/// image), goes through the same encoding, checksum, decoding and image checks as a file. An
/// encoding per change was 49 % of an in-process flow (perf, 7 Dec 2026; before that, two fsyncs
/// per change had made it 17 times slower). Bytes written through the four steps
/// ([`write_atomic`]) are kept as they are.
#[derive(Clone)]
pub struct MemoryStorage {
    name: PathBuf,
    image: Arc<Mutex<MemoryImage>>,
}

#[derive(Default)]
struct MemoryImage {
    /// The image, once one was renamed into place or stored.
    current: Option<Kept>,
    aside: Option<Vec<u8>>,
}

/// What a [`MemoryStorage`] holds as its image.
enum Kept {
    /// Image bytes, written through the four steps.
    Bytes(Vec<u8>),
    /// A state stored by the token, encoded when read.
    State(Arc<State>),
}

impl MemoryStorage {
    /// An empty storage; `name` stands for its path in error messages.
    pub fn new(name: &str) -> Self {
        MemoryStorage {
            name: PathBuf::from(name),
            image: Arc::default(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut MemoryImage) -> T) -> T {
        // A panic while the lock is held cannot leave a half-written image: every change below
        // is one assignment.
        f(&mut self.image.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ImageStorage for MemoryStorage {
    fn path(&self) -> &Path {
        &self.name
    }
    fn read(&mut self) -> io::Result<Vec<u8>> {
        match self.with(|m| match &m.current {
            Some(Kept::Bytes(bytes)) => Some(Kept::Bytes(bytes.clone())),
            Some(Kept::State(state)) => Some(Kept::State(Arc::clone(state))),
            None => None,
        }) {
            Some(Kept::Bytes(bytes)) => Ok(bytes),
            Some(Kept::State(state)) => image::encode(&state).map_err(io::Error::other),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no image written yet",
            )),
        }
    }
    fn write_aside(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.with(|m| m.aside = Some(bytes.to_vec()));
        Ok(())
    }
    fn sync_aside(&mut self) -> io::Result<()> {
        if self.with(|m| m.aside.is_some()) {
            Ok(())
        } else {
            Err(io::Error::other("nothing written aside"))
        }
    }
    fn rename_over(&mut self) -> io::Result<()> {
        self.with(|m| match m.aside.take() {
            Some(bytes) => {
                m.current = Some(Kept::Bytes(bytes));
                Ok(())
            }
            None => Err(io::Error::other("nothing written aside")),
        })
    }
    fn sync_dir(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn store(&mut self, state: &Arc<State>) -> io::Result<()> {
        // One assignment under the lock: a reader sees the old image or the new, never a mix.
        self.with(|m| m.current = Some(Kept::State(Arc::clone(state))));
        Ok(())
    }
}
