import "reflect-metadata"; // @peculiar/x509 resolves its services through tsyringe, which needs it
import { webcrypto, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import * as x509 from "@peculiar/x509";

type KeyPair = webcrypto.CryptoKeyPair;
/** The library types keys with the DOM's CryptoKey; Node's webcrypto keys are the same objects. */
type SigningKey = Extract<
  Parameters<typeof x509.X509CertificateGenerator.create>[0],
  { signingKey: unknown }
>["signingKey"];
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface CertificateAuthority {
  /** PEM of the CA certificate: what sandboxes trust. */
  certPem: string;
  /** PKCS#8 PEM of the CA key: never leaves the proxy. */
  keyPem: string;
}

export interface LeafCertificate {
  certPem: string;
  keyPem: string;
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END ${label}-----\n`;
const serial = () => `01${randomBytes(15).toString("hex")}`;

/** A new ECDSA P-256 CA, valid for ten years: one per deployment. */
export async function createCertificateAuthority(
  name = "Corral egress proxy CA",
): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as KeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 10 * 365 * 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: cert.toString("pem"),
    keyPem: pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)),
  };
}

/** Issues leaf certificates for hostnames (or IPs) under one CA, cached per name. */
export function createIssuer(ca: CertificateAuthority): (host: string) => Promise<LeafCertificate> {
  const cache = new Map<string, Promise<LeafCertificate>>();
  const caCert = new x509.X509Certificate(ca.certPem);
  const der = Buffer.from(ca.keyPem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
  const caKey = webcrypto.subtle.importKey("pkcs8", der, ALG, false, ["sign"]);

  async function issue(host: string): Promise<LeafCertificate> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as KeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${host}`,
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
      publicKey: keys.publicKey,
      signingKey: (await caKey) as unknown as SigningKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: isIP(host) ? "ip" : "dns", value: host }]),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      ],
    });
    return {
      certPem: cert.toString("pem"),
      keyPem: pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)),
    };
  }

  return (host) => {
    let leaf = cache.get(host);
    if (!leaf) {
      leaf = issue(host);
      cache.set(host, leaf);
      leaf.catch(() => cache.delete(host));
    }
    return leaf;
  };
}
