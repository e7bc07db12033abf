// The whole of `verify` as a library function: expands the inputs, finds and reads the manifests,
// plans which digests each file and member needs, checks every input in one pass and compares
// the digests with the manifests. `arraytool verify` prints its result; `import` can call it as a
// preflight.

#if canImport(Glibc)
  import Glibc
#endif

/// Checks the integrity of exports and their manifests.
public enum Verifier {
  /// Verifies `paths` (zips, .tgz, .tar, .dat, folders, manifests).
  /// - Returns: what was found; inputs that cannot be read are in `errors`, not thrown.
  /// - Throws: `UsageError` when `options` ask for something the inputs cannot give (a manifest
  ///   of members without exactly one zip input).
  public static func verify(paths: [String], options: VerifyOptions = VerifyOptions()) throws
    -> VerifyResult
  {
    var (inputs, errors) = VerifyInputSet.expanding(paths)
    let ledger = VerifyLedger()
    ledger.faults += inputs.walkFaults
    let plan = ChecksumPlan()
    var explicit: [String] = []
    for path in options.manifests {
      if let error = unreadableManifest(path) {
        errors.append(error)
      } else {
        explicit.append(path)
      }
    }

    let finder = ManifestFinder(inputs: inputs)
    var (sources, unreadable) = finder.diskSources(explicit: explicit)
    ledger.faults += unreadable
    for zip in inputs.zips { sources += ManifestFinder.memberSources(of: zip.archive) }
    var listed: [String] = []
    for source in sources {
      do {
        let loaded = try finder.load(source)
        guard case .success(let bytes) = loaded else {
          if case .failure(let fault) = loaded { ledger.faults.append(fault) }
          continue
        }
        let resolution = finder.resolve(Manifest(parsing: bytes), from: source, into: plan)
        guard resolution.applies else { continue }
        ledger.faults += resolution.faults
        ledger.notes += resolution.notes
        listed += resolution.extraFiles.filter { !listed.contains($0) }
        if source.member == nil {
          ledger.filesChecked += 1
          ledger.bytesRead += Int64(bytes.count)
        }
      } catch let error as SystemError {
        errors.append(error)
      } catch {
        // A damaged manifest member: the pass over its zip reports the fault once.
      }
    }
    for path in listed {
      do {
        try inputs.addListed(path)
      } catch let error as SystemError {
        errors.append(error)
      }
    }
    try planManifest(options, inputs: inputs, plan: plan)

    let verifier = ArchiveVerifier(
      plan: plan, units: UnitVerifier(), limits: options.limits, ledger: ledger)
    let sizes = ReadProgressMeter.sizes(of: inputs.inputs.map(\.path))
    ledger.meter = options.progress.map { ReadProgressMeter(sizes: sizes, report: $0) }
    for (input, size) in zip(inputs.inputs, sizes) {
      ledger.meter?.startFile(size: size)
      do {
        try check(input, inputs: inputs, verifier: verifier)
      } catch let error as SystemError {
        errors.append(error)
      }
      ledger.meter?.finishFile()
    }
    ledger.meter?.finish()

    let verdict = plan.evaluate()
    var result = VerifyResult()
    result.problems = ledger.faults + verdict.faults
    result.notes = ledger.notes + verdict.notes
    result.errors = errors
    result.filesChecked = ledger.filesChecked
    result.bytesRead = ledger.bytesRead
    result.checksumsMatched = verdict.matched
    result.manifestEntries = manifestEntries(options, inputs: inputs, plan: plan)
    return result
  }

  /// Why the manifest the user named at `path` cannot be read; nil when it is a regular file.
  private static func unreadableManifest(_ path: String) -> SystemError? {
    let context = "cannot read manifest \(path)"
    var info = stat()
    guard stat(path, &info) == 0 else { return SystemError(context, code: errno) }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return SystemError(context, code: EISDIR)
    default: return SystemError(context, code: EINVAL, reason: "not a regular file")
    }
  }

  private static func check(
    _ input: VerifyInput, inputs: VerifyInputSet, verifier: ArchiveVerifier
  ) throws {
    switch input.kind {
    case .zip:
      if let archive = inputs.archive(at: input.path) {
        try verifier.verifyZip(archive, identity: input.identity)
      } else {
        verifier.ledger.filesChecked += 1
        if let fault = inputs.zipFaults[input.identity] { verifier.ledger.faults.append(fault) }
        try verifier.hashFile(input)
      }
    case .unit(let format):
      try verifier.verifyUnitFile(input, format: format)
    case .manifest:
      try verifier.hashFile(input)
    case .other:
      verifier.ledger.filesChecked += 1
      try verifier.hashFile(input)
    }
  }

  // MARK: - Writing a manifest

  private static func planManifest(
    _ options: VerifyOptions, inputs: VerifyInputSet, plan: ChecksumPlan
  ) throws {
    guard let algorithm = options.manifestToWrite else { return }
    if options.manifestOfMembers {
      let zips = inputs.inputs.filter { $0.kind == .zip }
      guard zips.count == 1 else {
        throw UsageError(
          "--members needs exactly one .zip input, got \(zips.count)", command: "verify")
      }
      for entry in memberEntries(inputs) {
        plan.want(algorithm, of: .member(zip: zips[0].identity, name: entry.name))
      }
    } else {
      for input in inputs.inputs where input.kind != .manifest && !input.isListed {
        plan.want(algorithm, of: .file(input.identity))
      }
    }
  }

  private static func manifestEntries(
    _ options: VerifyOptions, inputs: VerifyInputSet, plan: ChecksumPlan
  ) -> [ChecksumEntry] {
    guard let algorithm = options.manifestToWrite else { return [] }
    if options.manifestOfMembers {
      guard let zip = inputs.zips.first else { return [] }
      return memberEntries(inputs).compactMap { entry in
        plan.digest(of: .member(zip: zip.input.identity, name: entry.name), algorithm).map {
          ChecksumEntry(name: entry.name, digest: $0)
        }
      }
    }
    return inputs.inputs.filter { $0.kind != .manifest && !$0.isListed }.compactMap { input in
      plan.digest(of: .file(input.identity), algorithm).map {
        ChecksumEntry(name: input.path, digest: $0)
      }
    }
  }

  /// The members a manifest of members lists: files with safe names, the first of each name.
  private static func memberEntries(_ inputs: VerifyInputSet) -> [ZipEntry] {
    guard let archive = inputs.zips.first?.archive else { return [] }
    return archive.entries.filter { entry in
      !entry.isDirectory && entry.unsafeNameReason == nil
        && archive.entry(named: entry.name) == entry
    }
  }
}
