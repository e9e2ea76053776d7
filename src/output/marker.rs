//! The marker file `.ohisama-output`: in every folder ohisama creates as output
//! (`dist/`, staging folders, the search cache, the preview's work folders).
//!
//! Its first line says "this is ohisama's"; only a marked folder (or an empty
//! one) may be replaced by a build. A folder still being worked on (staging,
//! cache temp, a preview's work folder) also names its process, so the next
//! build can tell a crash leftover (process gone) from a build running beside it.
//! A finished output's marker has no process in it: the same input still gives
//! the same bytes.

use std::io::{self, Read as _};
use std::path::Path;

/// The marker's file name.
pub const MARKER: &str = ".ohisama-output";

/// The first line; anything else is not our marker.
const MAGIC: &str = "ohisama-output 1";

const NOTE: &str = "\
このフォルダは ohisama が作った出力です。ビルドのたびに丸ごと置き換えられます。自分のファイルをここに置かないでください。
This folder was made by ohisama and is replaced whole by every build. Do not keep your own files here.
";

/// What a folder's marker says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// No marker (or a file that is not ours).
    None,
    /// A finished output.
    Done,
    /// A folder a process is (or was) working in.
    Working(Owner),
}

/// The process working in a folder, as its marker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    /// Linux: the process's start time (clock ticks after boot), so a reused
    /// process id is not mistaken for the owner.
    start: Option<u64>,
    /// Linux: the boot id; a process of an earlier boot is gone.
    boot: Option<String>,
    /// Linux: the host name; a folder shared with another machine or container
    /// is never judged from here.
    host: Option<String>,
}

/// Whether the process that owns a folder still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Running,
    Gone,
    /// Cannot tell (another host, no `/proc`, an OS without a check): keep the folder.
    Unknown,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            start: platform::start_time(pid),
            boot: platform::boot_id(),
            host: platform::host_name(),
        }
    }

    /// Only a process id (markers written by hand, e.g. in tests).
    pub fn pid_only(pid: u32) -> Owner {
        Owner {
            pid,
            start: None,
            boot: None,
            host: None,
        }
    }

    pub fn liveness(&self) -> Liveness {
        if self.pid == 0 {
            return Liveness::Unknown;
        }
        if let (Some(mine), Some(here)) = (&self.host, platform::host_name())
            && *mine != here
        {
            return Liveness::Unknown;
        }
        if let (Some(mine), Some(now)) = (&self.boot, platform::boot_id())
            && *mine != now
        {
            return Liveness::Gone;
        }
        match platform::is_running(self.pid) {
            Liveness::Running => match (self.start, platform::start_time(self.pid)) {
                (Some(then), Some(now)) if then != now => Liveness::Gone,
                _ => Liveness::Running,
            },
            other => other,
        }
    }

    fn lines(&self) -> String {
        let mut s = format!("pid: {}\n", self.pid);
        if let Some(start) = self.start {
            s.push_str(&format!("start: {start}\n"));
        }
        if let Some(boot) = &self.boot {
            s.push_str(&format!("boot: {boot}\n"));
        }
        if let Some(host) = &self.host {
            s.push_str(&format!("host: {host}\n"));
        }
        s
    }
}

/// Marks `dir` as a finished output (no process named: deterministic bytes).
pub fn write_done(dir: &Path) -> io::Result<()> {
    std::fs::write(dir.join(MARKER), format!("{MAGIC}\n{NOTE}"))
}

/// Marks `dir` as worked on by this process.
pub fn write_working(dir: &Path) -> io::Result<()> {
    write_owner(dir, &Owner::current())
}

/// Marks `dir` as worked on by `owner`.
pub fn write_owner(dir: &Path, owner: &Owner) -> io::Result<()> {
    std::fs::write(
        dir.join(MARKER),
        format!("{MAGIC}\n{NOTE}{}", owner.lines()),
    )
}

/// Reads the marker of `dir`. Only a regular file (not a link) whose first
/// line is ours counts.
pub fn read(dir: &Path) -> Marker {
    let path = dir.join(MARKER);
    let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
    if !is_file {
        return Marker::None;
    }
    let mut text = String::new();
    let read = std::fs::File::open(&path).and_then(|f| f.take(4096).read_to_string(&mut text));
    if read.is_err() {
        return Marker::None;
    }
    parse(&text)
}

fn parse(text: &str) -> Marker {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some(MAGIC) {
        return Marker::None;
    }
    let mut owner = Owner::pid_only(0);
    for line in lines {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "pid" => owner.pid = value.parse().unwrap_or(0),
            "start" => owner.start = value.parse().ok(),
            "boot" => owner.boot = Some(value.to_string()),
            "host" => owner.host = Some(value.to_string()),
            _ => {}
        }
    }
    if owner.pid == 0 {
        Marker::Done
    } else {
        Marker::Working(owner)
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use super::Liveness;

    /// Field 22 of `/proc/<pid>/stat` (after the command name, which may hold spaces).
    pub fn start_time(pid: u32) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after_name = &stat[stat.rfind(')')? + 1..];
        after_name.split_whitespace().nth(19)?.parse().ok()
    }

    pub fn boot_id() -> Option<String> {
        read_trimmed("/proc/sys/kernel/random/boot_id")
    }

    pub fn host_name() -> Option<String> {
        read_trimmed("/proc/sys/kernel/hostname")
    }

    fn read_trimmed(path: &str) -> Option<String> {
        let s = std::fs::read_to_string(path).ok()?;
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    }

    pub fn is_running(pid: u32) -> Liveness {
        if std::path::Path::new("/proc/self/stat").exists() {
            if std::path::Path::new(&format!("/proc/{pid}")).exists() {
                Liveness::Running
            } else {
                Liveness::Gone
            }
        } else {
            super::unix::signal_zero(pid)
        }
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
mod platform {
    use super::Liveness;

    pub fn start_time(_pid: u32) -> Option<u64> {
        None
    }

    pub fn boot_id() -> Option<String> {
        None
    }

    pub fn host_name() -> Option<String> {
        None
    }

    pub fn is_running(pid: u32) -> Liveness {
        super::unix::signal_zero(pid)
    }
}

#[cfg(unix)]
mod unix {
    use super::Liveness;
    use nix::errno::Errno;
    use nix::unistd::Pid;

    /// `kill(pid, 0)`: delivers nothing, only asks whether the process exists.
    pub fn signal_zero(pid: u32) -> Liveness {
        let Ok(pid) = i32::try_from(pid) else {
            return Liveness::Unknown;
        };
        if pid <= 0 {
            // 0 and negative ids name process groups.
            return Liveness::Unknown;
        }
        match nix::sys::signal::kill(Pid::from_raw(pid), None) {
            Ok(()) => Liveness::Running,
            Err(Errno::ESRCH) => Liveness::Gone,
            // EPERM: it exists but belongs to someone else.
            Err(Errno::EPERM) => Liveness::Running,
            Err(_) => Liveness::Unknown,
        }
    }
}

/// Other systems (Windows): no check without more code than it is worth;
/// leftovers are kept and the user is told where they are.
#[cfg(not(unix))]
mod platform {
    use super::Liveness;

    pub fn start_time(_pid: u32) -> Option<u64> {
        None
    }

    pub fn boot_id() -> Option<String> {
        None
    }

    pub fn host_name() -> Option<String> {
        None
    }

    pub fn is_running(_pid: u32) -> Liveness {
        Liveness::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()), Marker::None);
        write_done(dir.path()).unwrap();
        assert_eq!(read(dir.path()), Marker::Done);
        write_working(dir.path()).unwrap();
        assert_eq!(read(dir.path()), Marker::Working(Owner::current()));
    }

    #[test]
    fn foreign_file_is_not_a_marker() {
        assert_eq!(parse("hello\npid: 12\n"), Marker::None);
        assert_eq!(parse(""), Marker::None);
    }

    #[test]
    fn this_process_runs() {
        assert_eq!(Owner::current().liveness(), Liveness::Running);
        assert_eq!(
            Owner::pid_only(std::process::id()).liveness(),
            Liveness::Running
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_ended_process_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert_eq!(Owner::pid_only(pid).liveness(), Liveness::Gone);
        assert_eq!(unix::signal_zero(pid), Liveness::Gone);
        assert_eq!(unix::signal_zero(std::process::id()), Liveness::Running);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reused_pid_is_gone() {
        let mut me = Owner::current();
        me.start = me.start.map(|s| s + 1);
        assert_eq!(me.liveness(), Liveness::Gone);
    }
}
