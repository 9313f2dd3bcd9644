import { expect, test } from "vitest";
import { generateSealingKey, openSealed, SealedBox, sealTo } from "./sealed-box.js";

const recipient = generateSealingKey();
const secret = "sk-live-canary-0123456789";

test("a sealed value opens with the recipient's key and context, and shows nothing of the plaintext", () => {
  const box = sealTo(recipient.publicKey, "ctx", secret);
  expect(SealedBox.safeParse(box).success).toBe(true);
  expect(box).not.toContain(secret);
  expect(box).not.toContain(Buffer.from(secret).toString("base64url").slice(0, 12));
  expect(openSealed(recipient.privateKeyPem, "ctx", box)).toBe(secret);
  // A fresh sender key each time: the same plaintext never seals to the same box.
  expect(sealTo(recipient.publicKey, "ctx", secret)).not.toBe(box);
});

test("a box changed anywhere does not open", () => {
  const box = sealTo(recipient.publicKey, "ctx", secret);
  const parts = box.split(".");
  for (let i = 2; i < parts.length; i++) {
    const changed = [...parts];
    const flip = changed[i]![5] === "A" ? "B" : "A";
    changed[i] = `${changed[i]!.slice(0, 5)}${flip}${changed[i]!.slice(6)}`;
    expect(() => openSealed(recipient.privateKeyPem, "ctx", changed.join("."))).toThrow(
      expect.objectContaining({ code: "INVALID_REQUEST" }),
    );
  }
});

test("a box does not open in another context", () => {
  const box = sealTo(recipient.publicKey, "corral.api.vault.credentials.create\0vlt_A", secret);
  expect(() =>
    openSealed(recipient.privateKeyPem, "corral.api.vault.credentials.create\0vlt_B", box),
  ).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
});

test("a box sealed to another key is refused as stale, and does not open under a forged key id", () => {
  const other = generateSealingKey();
  const box = sealTo(other.publicKey, "ctx", secret);
  expect(() => openSealed(recipient.privateKeyPem, "ctx", box)).toThrow(
    expect.objectContaining({ code: "CONFLICT" }),
  );
  const forged = box.replace(other.publicKey.kid, recipient.publicKey.kid);
  expect(() => openSealed(recipient.privateKeyPem, "ctx", forged)).toThrow(
    expect.objectContaining({ code: "INVALID_REQUEST" }),
  );
});

test("plaintext is not a sealed box", () => {
  expect(SealedBox.safeParse({ type: "static_bearer", token: secret }).success).toBe(false);
  expect(SealedBox.safeParse(secret).success).toBe(false);
});
