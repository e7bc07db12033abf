// Turns what a user names on the command line (an export .zip, a folder of them, single .tgz,
// .tar or .dat files) into the list of .dat units to decode. Only the zip central directories are
// read here; the units themselves are opened later, each on whatever thread decodes it.

#if canImport(Glibc)
  import Glibc
#endif

/// Finds the .dat units in the user's inputs.
public enum PerfInput {
  /// Lists the units of `paths`, in the order given; a directory contributes its zip, tgz and
  /// dat files (recursively, sorted by path).
  ///
  /// A zip contributes its `.tgz`, `.tar.gz`, `.tar` and `.dat` entries, in directory order; its
  /// other files (such as `SHA256SUMS`, or macOS resource forks `._X.tgz`) are listed in
  /// `otherMembers`. Entries with unsafe or duplicate names are left out; their faults are in
  /// `faults`. A file whose name says nothing is recognised by its first bytes.
  /// - Throws: `SystemError` (exit 2) for a path that does not exist or cannot be read. A file
  ///   that is there but damaged (a zip without central directory) is a fault in the listing.
  public static func units(for paths: [String]) throws -> PerfInputListing {
    var listing = PerfInputListing()
    for path in paths {
      let info = try status(of: path)
      if (info.st_mode & S_IFMT) == S_IFDIR {
        for file in try filesBelow(path, faults: &listing.faults) { try add(file, to: &listing) }
      } else {
        try add(FoundFile(path: path, size: Int64(info.st_size)), to: &listing, sniff: true)
      }
    }
    return listing
  }

  // MARK: - Kinds of input

  enum InputKind: Equatable {
    case zip
    case unit(DatUnit.Format)
  }

  static func kind(ofName name: String) -> InputKind? {
    // macOS puts resource forks next to copied files (`._X.tgz`) and into zips it makes
    // (`__MACOSX/…/._X.tgz`); they carry the name but not the content of an input.
    if isResourceFork(name) { return nil }
    let lower = name.lowercased()
    if lower.hasSuffix(".zip") { return .zip }
    if lower.hasSuffix(".tgz") || lower.hasSuffix(".tar.gz") { return .unit(.tgz) }
    if lower.hasSuffix(".tar") { return .unit(.tar) }
    if lower.hasSuffix(".dat") { return .unit(.dat) }
    return nil
  }

  private static func isResourceFork(_ name: String) -> Bool {
    DatUnit.lastComponent(name).hasPrefix("._") || name.hasPrefix("__MACOSX/")
  }

  /// What the first bytes of a file with an unknown name show it to be; .dat when nothing else.
  static func kind(ofContent path: String) throws -> InputKind {
    let file = try InputFile(path: path)
    let head = try file.bytes(at: 0, count: 262)
    if head.starts(with: [0x50, 0x4b]) { return .zip }
    if head.starts(with: [0x1f, 0x8b]) { return .unit(.tgz) }
    if head.count >= 262, Array(head[257..<262]) == Array("ustar".utf8) { return .unit(.tar) }
    return .unit(.dat)
  }

  private static func add(
    _ file: FoundFile, to listing: inout PerfInputListing, sniff: Bool = false
  ) throws {
    let found = try kind(ofName: file.path) ?? (sniff ? kind(ofContent: file.path) : nil)
    switch found {
    case .zip?: try addZip(file.path, to: &listing)
    case .unit(let format)?:
      listing.units.append(DatUnit(path: file.path, format: format, size: file.size))
    case nil: break
    }
  }

  private static func addZip(_ path: String, to listing: inout PerfInputListing) throws {
    let archive: ZipArchive
    do {
      archive = try ZipArchive(file: InputFile(path: path))
    } catch let fault as InputFault {
      listing.faults.append(fault)
      return
    }
    listing.notes += archive.notes
    listing.faults += archive.faults
    var seen = Set<String>()
    let unitsBefore = listing.units.count
    for entry in archive.entries where !entry.isDirectory {
      guard entry.unsafeNameReason == nil, seen.insert(entry.name).inserted else { continue }
      if case .unit(let format)? = kind(ofName: entry.name) {
        listing.units.append(DatUnit(archive: archive, entry: entry, format: format))
      } else {
        listing.otherMembers.append(entry.name)
        listing.otherEntries.append(ZipMember(archive: archive, entry: entry))
        if let note = unreadMemberNote(entry, of: archive) { listing.notes.append(note) }
      }
    }
    if let fault = noUnitFault(archive, unitCount: listing.units.count - unitsBefore) {
      listing.faults.append(fault)
    }
  }

  /// The note for a zip entry that is not read as performance data; nil for the checksum
  /// manifests and macOS resource forks that exports carry, which need no word.
  static func unreadMemberNote(_ entry: ZipEntry, of archive: ZipArchive) -> InputNote? {
    let name = entry.name
    if isResourceFork(name) || ManifestFinder.manifestKind(name).isManifest { return nil }
    let reason =
      kind(ofName: name) == .zip
      ? "a zip inside the export is not opened: unpack it and name it as an input of its own"
      : "not read: only members named .tgz, .tar.gz, .tar or .dat hold performance data"
    return InputNote(at: entry.localHeaderOffset, reason, path: archive.path, member: name)
  }

  /// The fault of a zip of which no entry is performance data: an export with every file
  /// misnamed, or one written empty (or with its folders only) by a failed job, would otherwise
  /// import nothing and report success.
  static func noUnitFault(_ archive: ZipArchive, unitCount: Int) -> InputFault? {
    guard unitCount == 0 else { return nil }
    let reason =
      if archive.entries.isEmpty {
        "the zip holds no entries, so no performance file"
      } else if archive.entries.allSatisfy(\.isDirectory) {
        "the zip holds folders only, no performance file"
      } else {
        "the zip holds no performance file: no member is named .tgz, .tar.gz, .tar or .dat"
      }
    return InputFault(.unexpectedMembers, at: 0, reason, path: archive.path)
  }

  // MARK: - File system

  private struct FoundFile {
    var path: String
    var size: Int64
  }

  static func status(of path: String) throws -> stat {
    var info = stat()
    guard stat(path, &info) == 0 else { throw SystemError("cannot read \(path)", code: errno) }
    return info
  }

  /// The files below `directory` whose names mark them as inputs, sorted by path. Symbolic links
  /// to files are followed; links to directories are not, so that a loop cannot trap the walk.
  private static func filesBelow(_ directory: String, faults: inout [InputFault]) throws
    -> [FoundFile]
  {
    try files(below: directory, faults: &faults).map { FoundFile(path: $0.path, size: $0.size) }
  }

  /// The paths and sizes of the export files (.zip, .tgz, .tar.gz, .tar, .dat) below
  /// `directory`, and of the other files whose name `alsoWanted` accepts, sorted by path. What
  /// cannot be read inside the folder (a link to a missing file, a FIFO named like an input, a
  /// subfolder without permission) is a fault in `faults`, and the walk goes on: one bad entry
  /// must not keep the rest of an export from being read.
  /// - Throws: `SystemError` (exit 2) when `directory` itself cannot be read, or when it holds
  ///   no export file and nothing in it was unreadable: a mistyped folder in a cron job would
  ///   otherwise check, inspect or import nothing and report success.
  static func files(
    below directory: String, faults: inout [InputFault],
    alsoWanted: (String) -> Bool = { _ in false }
  ) throws -> [(path: String, size: Int64)] {
    let faultsBefore = faults.count
    let found = try walk(directory, faults: &faults) { kind(ofName: $0) != nil || alsoWanted($0) }
    guard faults.count > faultsBefore || found.contains(where: { kind(ofName: $0.path) != nil })
    else {
      throw SystemError(
        "no export file found in \(directory)", code: ENOENT,
        reason: "neither it nor a folder below it holds a .zip, .tgz, .tar.gz, .tar or .dat file")
    }
    return found
  }

  private static func walk(
    _ directory: String, faults: inout [InputFault], where wanted: (String) -> Bool
  ) throws -> [(path: String, size: Int64)] {
    var found: [(path: String, size: Int64)] = []
    var pending = [directory]
    while let folder = pending.popLast() {
      let names: [String]
      do {
        names = try self.names(in: folder)
      } catch let error as SystemError where folder != directory {
        faults.append(InputFault(.unreadable, at: 0, "the folder " + error.reason, path: folder))
        continue
      }
      for name in names {
        let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
        var info = stat()
        guard lstat(path, &info) == 0 else {
          faults.append(InputFault(.unreadable, at: 0, SystemError.describe(errno), path: path))
          continue
        }
        let isLink = (info.st_mode & S_IFMT) == S_IFLNK
        if let fault = follow(path, &info) {
          if wanted(name) { faults.append(fault) }
          continue
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR where !isLink:
          pending.append(path)
        case S_IFDIR:
          break
        case S_IFREG where wanted(name):
          found.append((path, Int64(info.st_size)))
        case _ where wanted(name):
          faults.append(notRegular(path))
        default:
          break
        }
      }
    }
    return found.sorted { $0.path < $1.path }
  }

  /// Follows `path` when `info`, its `lstat` status, is a symbolic link's, leaving the status of
  /// what the link leads to in `info`; the fault when it leads nowhere (dangles, loops).
  static func follow(_ path: String, _ info: inout stat) -> InputFault? {
    guard (info.st_mode & S_IFMT) == S_IFLNK, stat(path, &info) != 0 else { return nil }
    let reason = SystemError.describe(errno)
    return InputFault(
      .unreadable, at: 0, "a symbolic link that cannot be followed: " + reason, path: path)
  }

  /// The fault of a file named like one to read that is none (a FIFO, a device, a socket): it is
  /// reported rather than read, which could hang or never end.
  static func notRegular(_ path: String) -> InputFault {
    InputFault(.unreadable, at: 0, "not a regular file", path: path)
  }

  private static func names(in directory: String) throws -> [String] {
    guard let handle = opendir(directory) else {
      throw SystemError("cannot read \(directory)", code: errno)
    }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != ".", name != ".." { names.append(name) }
    }
    return names
  }
}
