// Finds the checksum manifests that apply to the inputs and turns their lines into expectations
// of the checksum plan. Manifests come from four places: named by the user, beside an input
// (`X.zip.sha256`, `X.zip.md5`), in an input's folder (`SHA256SUMS`, `MD5SUMS`) and inside a zip
// (`SHA256SUMS` as a member, whose lines name other members, checked in place). A name in a
// manifest is looked up relative to the manifest, as `sha256sum -c` run in its folder would.

#if canImport(Glibc)
  import Glibc
#endif

/// Locates manifests and resolves their lines.
struct ManifestFinder {
  /// Manifests larger than this are refused rather than read into memory.
  static let sizeLimit: Int64 = 16 << 20
  /// The names of manifests that list several files.
  static let listNames = ["SHA256SUMS", "SHA512SUMS", "SHA1SUMS", "MD5SUMS"]
  /// Endings of manifests about the one file whose name they extend.
  static let extensions = [".sha256", ".sha512", ".sha1", ".md5"]

  let inputs: VerifyInputSet

  /// Whether `name` (a path or member name) names a manifest; and for `X.sha256`, the `X` that a
  /// line holding only a checksum is about.
  static func manifestKind(_ name: String) -> (isManifest: Bool, defaultName: String?) {
    let file = DatUnit.lastComponent(name)
    let lower = file.lowercased()
    var base = lower
    if base.hasSuffix(".txt") { base = String(base.dropLast(4)) }
    if listNames.contains(where: { $0.lowercased() == base }) || base == "checksums" {
      return (true, nil)
    }
    for ending in extensions + [".sha256sum", ".md5sum"] where lower.hasSuffix(ending) {
      guard lower.count > ending.count else { return (false, nil) }
      return (true, String(file.dropLast(ending.count)))
    }
    return (false, nil)
  }

  // MARK: - Finding

  /// The manifests on disk that apply: `explicit` ones first, then those beside and in the
  /// folders of the inputs, each file once; and the faults of those found that cannot be read.
  func diskSources(explicit: [String]) -> (sources: [ManifestSource], faults: [InputFault]) {
    var sources: [ManifestSource] = []
    var faults: [InputFault] = []
    var seen = Set<FileIdentity>()
    // What the walk of an input folder reported is not reported again.
    var reported = Set(inputs.walkFaults.compactMap { ManifestFinder.linkIdentity($0.path) })
    func add(_ path: String, _ origin: ManifestSource.Origin) {
      if origin != .explicit, let (identity, fault) = ManifestFinder.unreadable(path, origin) {
        if reported.insert(identity).inserted { faults.append(fault) }
        return
      }
      guard let identity = FileIdentity(path: path), seen.insert(identity).inserted else { return }
      sources.append(
        ManifestSource(
          path: path, member: nil, origin: origin,
          defaultName: ManifestFinder.manifestKind(path).defaultName))
    }
    for path in explicit { add(path, .explicit) }
    for input in inputs.inputs where input.kind == .manifest { add(input.path, .explicit) }
    for input in inputs.inputs where input.kind != .manifest {
      for ending in ManifestFinder.extensions { add(input.path + ending, .beside) }
    }
    for input in inputs.inputs where input.kind != .manifest {
      let folder = ManifestFinder.folder(of: input.path)
      for name in ManifestFinder.listNames { add(ManifestFinder.join(folder, name), .folder) }
    }
    return (sources, faults)
  }

  /// Why the manifest found at `path` (beside an input or in its folder) cannot be read, with the
  /// identity of what is there; nil when it is a regular file or there is nothing at all. Such a
  /// manifest is a problem, as it is in a folder walked: skipped, it would let the input pass as
  /// checked; read, a FIFO would hang verify and a link to /dev/zero never let it finish. A
  /// folder named like a folder's `SHA256SUMS` is only a folder, as the walk takes it.
  private static func unreadable(_ path: String, _ origin: ManifestSource.Origin)
    -> (FileIdentity, InputFault)?
  {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    let identity = FileIdentity(info)
    if let fault = PerfInput.follow(path, &info) { return (identity, fault) }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR where origin == .folder: return nil
    default: return (identity, PerfInput.notRegular(path))
    }
  }

  /// The identity of what is at `path` itself, a symbolic link not followed.
  private static func linkIdentity(_ path: String) -> FileIdentity? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return FileIdentity(info)
  }

  /// The manifests among the members of `archive`.
  static func memberSources(of archive: ZipArchive) -> [ManifestSource] {
    archive.entries.compactMap { entry in
      let kind = manifestKind(entry.name)
      guard kind.isManifest, !entry.isDirectory, entry.unsafeNameReason == nil,
        archive.entry(named: entry.name) == entry
      else { return nil }
      return ManifestSource(
        path: archive.path, member: entry.name, origin: .inside, defaultName: kind.defaultName)
    }
  }

  /// The bytes of a manifest, or a fault when it is too large to be one.
  /// - Throws: `SystemError` when a file cannot be read; `InputFault` of a damaged zip member.
  func load(_ source: ManifestSource) throws -> Result<[UInt8], InputFault> {
    if let member = source.member {
      guard let archive = inputs.archive(at: source.path), let entry = archive.entry(named: member)
      else { return .success([]) }
      if let fault = ManifestFinder.tooLarge(entry.uncompressedSize, source) {
        return .failure(fault)
      }
      return .success(try ManifestFinder.readAll(archive.open(entry)))
    }
    let file = try InputFile(path: source.path)
    if let fault = ManifestFinder.tooLarge(file.size, source) { return .failure(fault) }
    return .success(try file.bytes(at: 0, count: Int(file.size)))
  }

  private static func tooLarge(_ size: Int64, _ source: ManifestSource) -> InputFault? {
    guard size > sizeLimit else { return nil }
    return InputFault(
      .manifestMalformed, at: 0,
      "the manifest is \(size) bytes; manifests over \(sizeLimit) bytes are not read",
      path: source.path, member: source.member)
  }

  private static func readAll(_ source: ByteSource) throws -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
      if count == 0 { return result }
      result += chunk[0..<count]
    }
  }

  // MARK: - Resolving

  /// What resolving a manifest's lines found.
  struct Resolution {
    /// Faults of the manifest itself: malformed lines, files it lists that are missing, nothing
    /// to check.
    var faults: [InputFault] = []
    /// Files on disk it lists that are not inputs: they are checked too.
    var extraFiles: [String] = []
    /// Whether the manifest is about the inputs at all (a folder's `SHA256SUMS` may not be).
    var applies = true
    /// What is worth saying that is no fault: a manifest named for a file that does not list it.
    var notes: [InputNote] = []
  }

  /// Enters the lines of `manifest` into `plan`.
  func resolve(_ manifest: Manifest, from source: ManifestSource, into plan: ChecksumPlan)
    -> Resolution
  {
    var resolution = Resolution()
    var used = 0
    for line in manifest.lines {
      guard let name = line.name ?? source.defaultName else {
        resolution.faults.append(
          fault(
            .manifestMalformed, source, line.offset,
            "line \(line.number): a checksum without a file name, and the manifest's name "
              + "does not say which file it is for"))
        continue
      }
      // A manifest that was found rather than named may only speak of files beside it: one
      // lying next to an archive must not make verify read /etc/shadow or ../../anything, by
      // its name or through a symbolic link inside the folder that points out (`sub -> /etc`).
      if source.origin != .explicit, let outside = Self.outsideFolder(name, of: source) {
        resolution.faults.append(
          fault(
            .manifestMalformed, source, line.offset,
            "line \(line.number): \(name) \(outside); name such a manifest with --manifest to "
              + "check it"))
        continue
      }
      guard let found = locate(name, from: source) else {
        if source.origin == .folder { continue }
        resolution.faults.append(
          fault(
            .manifestMissingFile, source, line.offset,
            "line \(line.number): \(missingText(name, from: source))"))
        continue
      }
      if source.origin == .folder, !found.isInput { continue }
      used += 1
      if !found.isInput, let path = found.extraPath, !resolution.extraFiles.contains(path) {
        resolution.extraFiles.append(path)
      }
      plan.expect(found.target, line: line, source: source, path: found.path, member: found.member)
    }
    if source.origin == .folder, used == 0 {
      return Resolution(faults: [], extraFiles: [], applies: false)
    }
    // `X.zip.sha256` beside X.zip that lists only other files: X.zip is checked against nothing
    // (a manifest copied from another export, most likely), which its name promised otherwise.
    if source.origin == .beside, let own = source.defaultName,
      !manifest.lines.isEmpty,
      !manifest.lines.contains(where: { DatUnit.lastComponent($0.name ?? own) == own })
    {
      resolution.notes.append(
        InputNote(
          at: 0,
          "it is named for \(own) but does not list it: \(own) is not checked against a "
            + "checksum (the files it lists are)",
          path: source.path))
    }
    for bad in manifest.malformed {
      resolution.faults.append(
        fault(.manifestMalformed, source, bad.offset, "line \(bad.number): \(bad.reason)"))
    }
    if manifest.lines.isEmpty {
      resolution.faults.append(
        fault(
          .manifestEmpty, source, 0,
          manifest.malformed.isEmpty
            ? "the manifest holds no checksum lines"
            : "the manifest holds no readable checksum line"))
    }
    return resolution
  }

  private struct Located {
    var target: ChecksumTarget
    var path: String
    var member: String?
    var isInput: Bool
    var extraPath: String?
  }

  private func locate(_ name: String, from source: ManifestSource) -> Located? {
    let relative = ManifestFinder.stripDotSlash(name)
    if let manifestMember = source.member {
      let memberName = ManifestFinder.memberFolder(manifestMember) + relative
      guard let zip = inputs.zip(at: source.path), zip.archive.entry(named: memberName) != nil
      else { return nil }
      return Located(
        target: .member(zip: zip.input.identity, name: memberName), path: zip.input.path,
        member: memberName, isInput: true)
    }
    let folder = ManifestFinder.folder(of: source.path)
    let path = name.hasPrefix("/") ? name : ManifestFinder.join(folder, relative)
    if let identity = FileIdentity(path: path) {
      let known = inputs.path(of: identity)
      return Located(
        target: .file(identity), path: known ?? path, member: nil, isInput: known != nil,
        extraPath: known == nil ? path : nil)
    }
    // A manifest taken out of a zip lists the zip's members: look for them there.
    for zip in inputs.zips where zip.archive.entry(named: relative) != nil {
      return Located(
        target: .member(zip: zip.input.identity, name: relative), path: zip.input.path,
        member: relative, isInput: true)
    }
    return nil
  }

  private func missingText(_ name: String, from source: ManifestSource) -> String {
    if source.member != nil { return "\(name) is not a member of \(source.path)" }
    let folder = ManifestFinder.folder(of: source.path)
    let path = name.hasPrefix("/") ? name : ManifestFinder.join(folder, name)
    return "\(path) does not exist"
  }

  private func fault(
    _ kind: InputFault.Kind, _ source: ManifestSource, _ offset: Int64, _ message: String
  ) -> InputFault {
    InputFault(kind, at: offset, message, path: source.path, member: source.member)
  }

  // MARK: - Paths

  /// Whether a manifest line's `name` points outside the manifest's folder.
  static func leavesFolder(_ name: String) -> Bool {
    name.hasPrefix("/") || name.split(separator: "/").contains("..")
  }

  /// How a found manifest's line `name` leaves the manifest's folder, in words; nil when it
  /// stays inside.
  static func outsideFolder(_ name: String, of source: ManifestSource) -> String? {
    if leavesFolder(name) { return "is outside the manifest's folder" }
    // A manifest inside a zip names members, which are no links.
    guard source.member == nil,
      leavesFolderThroughLinks(name, folder: folder(of: source.path))
    else { return nil }
    return "leads outside the manifest's folder through a symbolic link"
  }

  /// Whether `name`, in `folder`, is a file (or lies in a folder) reached through a symbolic
  /// link that leads out of `folder`: its real path is not inside the folder's. A name that
  /// does not exist leads nowhere, and is reported missing.
  static func leavesFolderThroughLinks(_ name: String, folder: String) -> Bool {
    guard let target = try? resolved(join(folder, stripDotSlash(name))),
      let base = try? resolved(folder)
    else { return false }
    return !target.hasPrefix(base.hasSuffix("/") ? base : base + "/")
  }

  /// The folder of `path`, `.` for a bare name.
  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// `path` as a manifest in `folder` names it: relative to that folder, which is how
  /// `sha256sum -c` run there and verify look it up. Both folders are resolved first (symbolic
  /// links, `..`); the file name itself is kept, so that a link is named as a link.
  /// - Throws: `SystemError` when either folder cannot be resolved.
  static func name(of path: String, inManifestFolder folder: String) throws -> String {
    let from = try resolved(folder).split(separator: "/")
    let to = try resolved(self.folder(of: path)).split(separator: "/")
    let shared = zip(from, to).prefix { $0 == $1 }.count
    let up = [Substring](repeating: "..", count: from.count - shared)
    let file = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? Substring(path)
    return (up + to[shared...] + [file]).joined(separator: "/")
  }

  private static func resolved(_ folder: String) throws -> String {
    guard let absolute = realpath(folder, nil) else {
      throw SystemError("cannot resolve \(folder)", code: errno)
    }
    defer { free(absolute) }
    return String(cString: absolute)
  }

  /// `folder/name`, or just `name` when the folder is `.`.
  static func join(_ folder: String, _ name: String) -> String {
    if folder == "." { return name }
    return folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }

  /// The folder part of a member name, with its slash (`2025-09-25/`), or empty.
  static func memberFolder(_ name: String) -> String {
    guard let slash = name.lastIndex(of: "/") else { return "" }
    return String(name[...slash])
  }

  static func stripDotSlash(_ name: String) -> String {
    var result = Substring(name)
    while result.hasPrefix("./") { result = result.dropFirst(2) }
    return String(result)
  }
}
