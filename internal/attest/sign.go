package attest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// Key is a key that signs (a private key) or verifies (a public key)
// DSSE envelopes: ECDSA P-256 with SHA-256, the signatures ASN.1 DER, or
// Ed25519 — what cosign's --key and in-toto's tooling accept. Its key ID
// is the sha256 of the public key's PKIX DER, as in go-securesystemslib.
type Key struct {
	private crypto.Signer
	public  crypto.PublicKey
	id      string
}

// ParsePrivateKey reads a PEM private key: PKCS #8 ("PRIVATE KEY") or
// SEC 1 ("EC PRIVATE KEY"), ECDSA P-256 or Ed25519, unencrypted.
func ParsePrivateKey(data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("not a PEM private key: expected a -----BEGIN PRIVATE KEY----- block")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY":
		return nil, fmt.Errorf("a %s: expected an unencrypted ECDSA P-256 or Ed25519 key (keep it in a secret, not under a password)", block.Type)
	default:
		return nil, fmt.Errorf("a PEM %q block: expected PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("private key: expected ECDSA P-256 or Ed25519")
	}
	k, err := newKey(signer.Public())
	if err != nil {
		return nil, err
	}
	k.private = signer
	return k, nil
}

// ParsePublicKey reads a PEM public key ("PUBLIC KEY", PKIX), ECDSA
// P-256 or Ed25519, as cosign writes it (cosign.pub).
func ParsePublicKey(data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM public key: expected a -----BEGIN PUBLIC KEY----- block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return newKey(pub)
}

func newKey(pub crypto.PublicKey) (*Key, error) {
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		if p.Curve != elliptic.P256() {
			return nil, fmt.Errorf("an ECDSA key on %s: expected P-256", p.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("a %T key: expected ECDSA P-256 or Ed25519", pub)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	return &Key{public: pub, id: fmt.Sprintf("%x", sum)}, nil
}

// PublicPEM is the key's public half, PEM encoded.
func (k *Key) PublicPEM() []byte {
	der, _ := x509.MarshalPKIXPublicKey(k.public) // newKey marshalled it
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// KeyID, Public, Sign and Verify make a Key a dsse.SignerVerifier.
func (k *Key) KeyID() (string, error)   { return k.id, nil }
func (k *Key) Public() crypto.PublicKey { return k.public }

func (k *Key) Sign(_ context.Context, data []byte) ([]byte, error) {
	switch priv := k.private.(type) {
	case *ecdsa.PrivateKey:
		sum := sha256.Sum256(data)
		return ecdsa.SignASN1(rand.Reader, priv, sum[:])
	case ed25519.PrivateKey:
		return ed25519.Sign(priv, data), nil
	}
	return nil, errors.New("no private key to sign with")
}

func (k *Key) Verify(_ context.Context, data, sig []byte) error {
	ok := false
	switch pub := k.public.(type) {
	case *ecdsa.PublicKey:
		sum := sha256.Sum256(data)
		ok = ecdsa.VerifyASN1(pub, sum[:], sig)
	case ed25519.PublicKey:
		ok = ed25519.Verify(pub, data, sig)
	}
	if !ok {
		return errors.New("the signature does not match the key")
	}
	return nil
}

// Sign wraps a statement (as Marshal writes it) in a DSSE envelope signed
// by key, and returns the envelope as one line of JSON.
func Sign(ctx context.Context, statement []byte, key *Key) ([]byte, error) {
	if key.private == nil {
		return nil, errors.New("signing needs a private key")
	}
	signer, err := dsse.NewEnvelopeSigner(key)
	if err != nil {
		return nil, err
	}
	env, err := signer.SignPayload(ctx, PayloadType, statement)
	if err != nil {
		return nil, fmt.Errorf("signing the statement: %w", err)
	}
	return json.Marshal(env)
}
