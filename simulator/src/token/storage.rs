//! Where an image lives, as the four steps of an atomic replace (write aside, fsync, rename,
//! fsync the directory), so tests can inject a crash at every step.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

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
}

/// Replaces the image with `bytes`: after a crash at any instant the image is the old one or
/// the new one, never a mix.
pub fn write_atomic(storage: &mut dyn ImageStorage, bytes: &[u8]) -> io::Result<()> {
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

/// An image kept in memory, for the in-process conformance target: the token encodes and
/// replaces its image on every change through the same steps as with a file (so the same code
/// runs and an image that cannot be written fails the same command the same way), without the
/// two fsyncs per change that made an in-process flow 17 times slower; a restart reads the
/// image back through a clone (clones share it).
#[derive(Clone)]
pub struct MemoryStorage {
    name: PathBuf,
    image: Arc<Mutex<MemoryImage>>,
}

#[derive(Default)]
struct MemoryImage {
    /// The image, once one was renamed into place.
    current: Option<Vec<u8>>,
    aside: Option<Vec<u8>>,
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
        self.with(|m| m.current.clone())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no image written yet"))
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
                m.current = Some(bytes);
                Ok(())
            }
            None => Err(io::Error::other("nothing written aside")),
        })
    }
    fn sync_dir(&mut self) -> io::Result<()> {
        Ok(())
    }
}
