import { createPrivateKey, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { ServerCredentials } from "@grpc/grpc-js";
import { OupsError } from "../../store/errors.js";
import { readConfigFile } from "./read-config-file.js";

/** PEM files of the daemon's TLS: its certificate (chain) and key, and the CA that client certificates must chain to. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** When given, clients must present a certificate signed by this CA (mTLS). */
  clientCaFile?: string | undefined;
}

/**
 * Reads and checks the TLS files and builds the server's credentials. Each problem is reported by flag and file
 * before anything listens: grpc-js would otherwise fail on the first handshake, or report OpenSSL's words.
 */
export async function loadServerCredentials(files: TlsFiles): Promise<ServerCredentials> {
  const certPem = await readPem("--tls-cert", files.certFile);
  const keyPem = await readPem("--tls-key", files.keyFile);
  const cert = parseCertificate("--tls-cert", files.certFile, certPem);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    // OpenSSL's message is not shown: it adds nothing for the operator, and a key file's content must not leak.
    throw new OupsError("INVALID_ARGUMENT", `--tls-key ${files.keyFile} is not an unencrypted PEM private key`, { cause: err });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new OupsError("INVALID_ARGUMENT", `--tls-key ${files.keyFile} is not the key of the certificate in --tls-cert ${files.certFile}`);
  }
  let clientCa: Buffer | null = null;
  if (files.clientCaFile !== undefined) {
    clientCa = await readPem("--tls-client-ca", files.clientCaFile);
    parseCertificate("--tls-client-ca", files.clientCaFile, clientCa);
  }
  return ServerCredentials.createSsl(clientCa, [{ cert_chain: certPem, private_key: keyPem }], clientCa !== null);
}

async function readPem(flag: string, file: string): Promise<Buffer> {
  const pem = await readConfigFile(flag, file);
  if (!pem.includes("-----BEGIN ")) throw new OupsError("INVALID_ARGUMENT", `${flag} ${file} is not a PEM file`);
  return pem;
}

function parseCertificate(flag: string, file: string, pem: Buffer): X509Certificate {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new OupsError("INVALID_ARGUMENT", `${flag} ${file} holds no PEM certificate`);
  }
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new OupsError("INVALID_ARGUMENT", `${flag} ${file} holds no valid PEM certificate`, { cause: err });
  }
}
