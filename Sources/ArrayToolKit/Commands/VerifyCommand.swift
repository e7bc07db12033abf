// `arraytool verify`: checks that exports are intact, byte for byte, and that they match their
// checksum manifests; optionally writes a manifest for them.

#if canImport(Glibc)
  import Glibc
#endif

/// Verifies exports and manifests.
public enum VerifyCommand: Command {
  public static let spec = CommandSpec(
    name: "verify",
    summary: "Check exports and their checksum manifests, byte for byte.",
    discussion: """
      Reads every byte of each input once: every zip entry inflated and its CRC-32 and sizes
      checked against the local header and the central directory, every gzip member's CRC-32
      and length, every tar header checksum, each .tgz holding exactly one .dat named like it,
      every .dat decoded to its last row, and the serial and time in each file name against the
      .dat. Manifests (sha256sum/md5sum lines, BSD tagged lines) beside an input (X.zip.sha256,
      SHA256SUMS), inside a zip or named with --manifest are checked in the same pass. Prints
      one line per problem, PATH[!MEMBER]: KIND at offset N: reason, then a summary line; on
      a terminal a progress line on stderr shows the files and bytes read and the time left.
      Exit status 0 when all is well, 1 when problems were found, 2 for usage errors, inputs
      that cannot be read and folders that hold no export file.
      """,
    positionals: [
      PositionalSpec(
        "INPUT", help: "Export .zip, .tgz, .tar, .dat, folder or manifest.", variadic: true)
    ],
    options: [
      OptionSpec(
        "manifest", .repeated(placeholder: "FILE"),
        help: "Check the inputs against FILE too (sha256sum, md5sum or BSD lines)."),
      OptionSpec("json", help: "Print one JSON object instead of lines."),
      OptionSpec("quiet", short: "q", help: "Print problems only: no notes, no summary."),
      OptionSpec(
        "max-ratio", .value(placeholder: "N"),
        help: "Stop data that expands more than N times its stored size (default 2000, 0: off)."),
      OptionSpec(
        "max-size", .value(placeholder: "SIZE"),
        help: "Stop a member that expands beyond SIZE bytes, K/M/G/T (default 1T, 0: off)."),
      OptionSpec(
        "write-manifest", .value(placeholder: "ALGORITHM"),
        help: "Write sha256sum/md5sum lines for the inputs after checking them.",
        choices: DigestAlgorithm.allCases.map(\.rawValue)),
      OptionSpec("members", help: "With --write-manifest: lines for the members of the one zip."),
      OptionSpec(
        "output", short: "o", .value(placeholder: "FILE"),
        help: "With --write-manifest: write it to FILE (not an input), names relative to its "
          + "folder; - is stdout, names as given."),
    ],
    examples: [
      "arraytool verify Storage_History_Performance_Files.zip",
      "arraytool verify --json exports/ | jq '.problems[] | .kind'",
      "arraytool verify --write-manifest sha256 -o export.zip.sha256 export.zip",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    // The verdict is reached before anything is printed: `| head` must not change it.
    context.console.out.outlivesReader = true
    var options = try VerifyCommand.options(arguments)
    let console = context.console
    // On a terminal a line says how far the reading is; it is gone before anything else is
    // printed.
    let progress = ProgressLine(console: console)
    if console.stderrIsTerminal && !arguments.flag("quiet") {
      options.progress = { progress.show(VerifyReport.progressLine($0)) }
    }
    // `-o -` is stdout, as no -o is: nothing to check, and the names are as given.
    let output = arguments.outputFile("output")
    if options.manifestToWrite != nil, let output {
      try checkNotAnInput(output, inputs: arguments.positionals)
      try checkWritable(output)
    }
    let result = try Verifier.verify(paths: arguments.positionals, options: options)
    progress.clear()
    for error in result.errors { console.error(error.userMessage) }

    // A manifest on stdout leaves the report to stderr.
    let manifestOnStdout = options.manifestToWrite != nil && output == nil
    let report: (String) throws -> Void =
      manifestOnStdout ? { console.writeError($0 + "\n") } : { try console.print($0) }
    if arguments.flag("json") {
      try report(try VerifyReport.json(result))
    } else {
      for line in VerifyReport.lines(result, quiet: arguments.flag("quiet")) { try report(line) }
    }

    if options.manifestToWrite != nil {
      guard result.ok else {
        console.error("no manifest written: the inputs have problems")
        return result.exitStatus
      }
      let text = try manifestText(result.manifestEntries, options: options, output: output)
      try write(text, to: output, console: console)
    }
    return result.exitStatus
  }

  /// Validates the flags into options.
  static func options(_ arguments: ParsedArguments) throws -> VerifyOptions {
    var options = VerifyOptions()
    options.manifests = arguments.strings("manifest")
    if let ratio = try arguments.number("max-ratio", expecting: "a number, 0 for no limit") {
      options.limits.maxRatio = ratio == 0 ? nil : ratio
    }
    if let text = arguments.string("max-size") {
      guard let size = parseSize(text) else {
        throw UsageError(
          "invalid --max-size '\(text)': expected bytes such as 500G or 2T, 0 for no limit",
          command: "verify")
      }
      options.limits.maxBytes = size == 0 ? nil : size
    }
    if let name = try arguments.choice(
      "write-manifest", among: DigestAlgorithm.allCases.map(\.rawValue))
    {
      options.manifestToWrite = DigestAlgorithm(rawValue: name)
      options.manifestOfMembers = arguments.flag("members")
    } else {
      for flag in ["members", "output"] where arguments.flag(flag) {
        throw UsageError("--\(flag) needs --write-manifest", command: "verify")
      }
    }
    return options
  }

  /// `1024`, `64K`, `500M`, `2G`, `1T` (powers of 1024) as bytes; nil for anything else.
  static func parseSize(_ text: String) -> Int64? {
    let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var digits = Substring(text)
    var scale: Int64 = 1
    if let last = digits.last?.uppercased().first, let unit = units[last] {
      scale = unit
      digits = digits.dropLast()
    }
    guard let value = Int64(digits), value >= 0 else { return nil }
    let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
    return overflow ? nil : bytes
  }

  /// The lines of the manifest to write. One written to `output` names the inputs relative to
  /// its own folder, as `sha256sum -c` run there and verify read it; on stdout, where that
  /// folder is not known, they are named as given.
  private static func manifestText(
    _ entries: [ChecksumEntry], options: VerifyOptions, output: String?
  ) throws -> String {
    var entries = entries
    if let output, !options.manifestOfMembers {
      let folder = ManifestFinder.folder(of: output)
      entries = try entries.map { entry in
        var named = entry
        named.name = try ManifestFinder.name(of: entry.name, inManifestFolder: folder)
        return named
      }
    }
    return entries.map { Manifest.coreutilsLine(digest: $0.digest, name: $0.name) + "\n" }.joined()
  }

  /// Fails before anything is read when the manifest would be written over one of `inputs`, or
  /// over a file inside a folder among them: the export it describes would be lost, and verify
  /// would have said it was intact. Files and folders are compared by device and inode, so that
  /// a link, a hard link or another spelling of the same path is caught too; an output that does
  /// not exist yet can be none of them.
  static func checkNotAnInput(_ output: String, inputs: [String]) throws {
    guard let target = FileIdentity(path: output) else { return }
    let folders = enclosingFolders(of: output)
    for input in inputs {
      var info = stat()
      guard stat(input, &info) == 0 else { continue }
      let identity = FileIdentity(info)
      if identity == target {
        throw UsageError(
          "-o \(output) is the input \(input): the manifest would be written over it",
          command: "verify")
      }
      if info.st_mode & S_IFMT == S_IFDIR, folders.contains(identity) {
        throw UsageError(
          "-o \(output) lies in the input folder \(input): the manifest would be written over "
            + "a file of the export", command: "verify")
      }
    }
  }

  /// The folders `path` lies in, from its own up to the root, as the system resolves them: `..`
  /// of a folder reached through a link is the parent of the link's target.
  private static func enclosingFolders(of path: String) -> Set<FileIdentity> {
    var folders = Set<FileIdentity>()
    var folder = ManifestFinder.folder(of: path)
    var info = stat()
    while stat(folder, &info) == 0, folders.insert(FileIdentity(info)).inserted {
      folder += "/.."
    }
    return folders
  }

  /// Fails before anything is read when the manifest could not be written at `path`: its folder
  /// missing, not a folder, or not writable, or `path` itself a folder. Reading an export of
  /// hundreds of gigabytes only to be told that at the end would waste the hour it took.
  static func checkWritable(_ path: String) throws {
    let folder = ManifestFinder.folder(of: path)
    var status = stat()
    guard stat(folder, &status) == 0 else {
      throw SystemError("cannot write the manifest \(path): the folder \(folder)", code: errno)
    }
    guard status.st_mode & S_IFMT == S_IFDIR else {
      throw SystemError(
        "cannot write the manifest \(path)", code: ENOTDIR, reason: "\(folder) is not a folder")
    }
    if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw SystemError("cannot write the manifest \(path)", code: EISDIR)
    }
    // The rest (a dangling or looping link, an empty name, a folder the system refuses) shows
    // only on opening: a new file is made and removed again, an existing one is left as it is.
    var descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if descriptor >= 0 {
      close(descriptor)
      unlink(path)
      return
    }
    guard errno == EEXIST else { throw SystemError("cannot write the manifest \(path)", code: errno) }
    descriptor = open(path, O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw SystemError("cannot write the manifest \(path)", code: errno) }
    close(descriptor)
  }

  private static func write(_ text: String, to path: String?, console: Console) throws {
    guard let path else {
      try console.out.write(text)
      return
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw SystemError("cannot write \(path)", code: errno) }
    defer { close(descriptor) }
    let out = OutputStream(descriptor: descriptor, path: path)
    try out.write(text)
    try out.flush()
  }
}
