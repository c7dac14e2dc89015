// Globals that tests/e2e/sites/describe-file.js puts on the fixture pages' window.
declare function sha256Hex(blob: Blob): Promise<string>;
declare function describeFile(file: File): Promise<{ name: string; size: number; type: string; sha256: string }>;
