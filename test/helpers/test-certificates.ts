import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A certificate and its key, as files and as PEM text. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** A test PKI: a CA with a server and a client certificate, and a second CA with a client certificate of its own. */
export interface TestPki {
  dir: string;
  caFile: string;
  ca: string;
  /** Valid for 127.0.0.1 and localhost. */
  server: CertFiles;
  client: CertFiles;
  otherCaFile: string;
  otherCa: string;
  /** A client certificate signed by the other CA. */
  otherClient: CertFiles;
}

/**
 * Makes a test PKI in `dir` with the openssl command (as an operator would, see the README), EC P-256 keys for
 * speed, valid for a day.
 */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const ca = await makeCa(dir, "ca", "oups test CA");
  const otherCa = await makeCa(dir, "other-ca", "oups other test CA");
  const [server, client, otherClient] = await Promise.all([
    signCert(dir, "server", ca, "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
    signCert(dir, "client", ca, "oups test client", "extendedKeyUsage=clientAuth\n"),
    signCert(dir, "other-client", otherCa, "oups other test client", "extendedKeyUsage=clientAuth\n"),
  ]);
  return {
    dir,
    caFile: ca.certFile,
    ca: ca.cert,
    server,
    client,
    otherCaFile: otherCa.certFile,
    otherCa: otherCa.cert,
    otherClient,
  };
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function makeCa(dir: string, name: string, commonName: string): Promise<CertFiles> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  await openssl(["req", "-x509", ...EC_KEY, "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", `/CN=${commonName}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  return readCert(certFile, keyFile);
}

async function signCert(dir: string, name: string, ca: CertFiles, commonName: string, extensions: string): Promise<CertFiles> {
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, extensions);
  await openssl(["req", ...EC_KEY, "-keyout", keyFile, "-out", csrFile, "-subj", `/CN=${commonName}`]);
  await openssl(["x509", "-req", "-in", csrFile, "-CA", ca.certFile, "-CAkey", ca.keyFile, "-set_serial", `0x${randomSerial()}`,
    "-out", certFile, "-days", "1", "-extfile", extFile]);
  return readCert(certFile, keyFile);
}

async function readCert(certFile: string, keyFile: string): Promise<CertFiles> {
  return { certFile, keyFile, cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
}

function randomSerial(): string {
  return Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join("").replace(/^0/, "1");
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args, { timeout: 60_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${stderr}`, { cause: err });
  }
}
