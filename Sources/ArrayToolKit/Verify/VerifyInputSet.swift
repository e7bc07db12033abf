// The user's inputs as verify sees them: each file once (by device and inode), with what it is
// (a zip, a unit to decode, a manifest, anything else), folders walked recursively, and each zip's
// central directory read once up front so that manifests can be matched against its members.

#if canImport(Glibc)
  import Glibc
#endif

/// One file verify reads.
struct VerifyInput {
  enum Kind: Equatable {
    case zip
    case unit(DatUnit.Format)
    case manifest
    /// A file a manifest lists that is no export file: it is only hashed.
    case other
  }

  /// The path as the user gave it or as the folder walk found it.
  var path: String
  var kind: Kind
  var identity: FileIdentity
  /// Whether a manifest named it rather than the user.
  var isListed = false
}

/// The inputs of one verify run.
struct VerifyInputSet {
  private(set) var inputs: [VerifyInput] = []
  /// The zip inputs whose central directory could be read.
  private(set) var zips: [(input: VerifyInput, archive: ZipArchive)] = []
  /// Zips that are damaged beyond listing their entries.
  private(set) var zipFaults: [FileIdentity: InputFault] = [:]
  /// What could not be read inside the folders walked (a dangling link, a FIFO).
  private(set) var walkFaults: [InputFault] = []
  private var paths: [FileIdentity: String] = [:]

  /// Expands `paths`; paths that cannot be read are returned as errors and left out.
  static func expanding(_ paths: [String]) -> (VerifyInputSet, [SystemError]) {
    var set = VerifyInputSet()
    var errors: [SystemError] = []
    for path in paths {
      do {
        try set.add(path)
      } catch let error as SystemError {
        errors.append(error)
      } catch {
        errors.append(SystemError("cannot read \(path)", code: EIO, reason: "\(error)"))
      }
    }
    return (set, errors)
  }

  /// Adds a file a manifest lists (after the inputs), classified by its name.
  mutating func addListed(_ path: String) throws {
    try addFile(path, sniff: false, listed: true)
  }

  private mutating func add(_ path: String) throws {
    let info = try PerfInput.status(of: path)
    if (info.st_mode & S_IFMT) == S_IFDIR {
      let found = try PerfInput.files(below: path, faults: &walkFaults) { name in
        ManifestFinder.manifestKind(name).isManifest
      }
      for file in found { try addFile(file.path, sniff: false) }
    } else {
      try addFile(path, sniff: true)
    }
  }

  private mutating func addFile(_ path: String, sniff: Bool, listed: Bool = false) throws {
    guard let identity = FileIdentity(path: path) else {
      throw SystemError("cannot read \(path)", code: EINVAL, reason: "not a regular file")
    }
    guard paths[identity] == nil else { return }
    let kind: VerifyInput.Kind
    if ManifestFinder.manifestKind(path).isManifest {
      kind = .manifest
    } else if let known = PerfInput.kind(ofName: path) {
      kind = VerifyInput.Kind(known)
    } else if sniff {
      kind = VerifyInput.Kind(try PerfInput.kind(ofContent: path))
    } else {
      kind = .other
    }
    let input = VerifyInput(path: path, kind: kind, identity: identity, isListed: listed)
    paths[identity] = path
    inputs.append(input)
    guard kind == .zip else { return }
    do {
      zips.append((input, try ZipArchive(file: InputFile(path: path))))
    } catch let fault as InputFault {
      zipFaults[identity] = fault
    }
  }

  /// The path under which the file `identity` is an input; nil when it is none.
  func path(of identity: FileIdentity) -> String? {
    paths[identity]
  }

  /// The zip input at `path`.
  func zip(at path: String) -> (input: VerifyInput, archive: ZipArchive)? {
    zips.first { $0.input.path == path }
  }

  /// The archive of the zip input at `path`.
  func archive(at path: String) -> ZipArchive? {
    zip(at: path)?.archive
  }
}

extension VerifyInput.Kind {
  init(_ kind: PerfInput.InputKind) {
    switch kind {
    case .zip: self = .zip
    case .unit(let format): self = .unit(format)
    }
  }
}
