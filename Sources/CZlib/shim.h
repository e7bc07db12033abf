// The zlib API as arraytool sees it; only Compression/Zlib.swift imports this module.
#include <zlib.h>
