import { describe, expect, it } from 'vitest';
import { conditionHolds, evaluateTrustPolicy, type TrustPolicy } from './sts-trust.ts';

// IAM semantics of the trust evaluation the STS gate applies (IAM User Guide: condition
// operators, multivalued context keys). The policies themselves come from the github-oidc module.
const host = 'token.actions.githubusercontent.com';
const policy = (condition: Record<string, Record<string, string | string[]>>): TrustPolicy => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::200000000001:oidc-provider/${host}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: condition,
    },
  ],
});

describe('conditionHolds', () => {
  it('StringEquals with a list of values matches any one of them, exactly', () => {
    expect(conditionHolds('StringEquals', ['a', 'b'], 'b')).toBe(true);
    expect(conditionHolds('StringEquals', ['a', 'b'], 'c')).toBe(false);
    expect(conditionHolds('StringEquals', ['a*'], 'ab')).toBe(false);
    expect(conditionHolds('StringEquals', 'a', undefined)).toBe(false);
  });

  it('StringLike treats * and ? as wildcards', () => {
    expect(conditionHolds('StringLike', ['repo:acme/*'], 'repo:acme/x:pull_request')).toBe(true);
    expect(conditionHolds('StringLike', ['a?c'], 'abc')).toBe(true);
    expect(conditionHolds('StringLike', ['a.c'], 'abc')).toBe(false);
  });

  it('negated operators, IfExists and ForAllValues are true when the key is absent', () => {
    expect(conditionHolds('StringNotEquals', 'a', undefined)).toBe(true);
    expect(conditionHolds('StringEqualsIfExists', 'a', undefined)).toBe(true);
    expect(conditionHolds('ForAllValues:StringEquals', 'a', undefined)).toBe(true);
    expect(conditionHolds('ForAnyValue:StringEquals', 'a', undefined)).toBe(false);
    expect(conditionHolds('ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'])).toBe(false);
  });

  it('refuses operators it does not model', () => {
    expect(() => conditionHolds('ArnLike', 'a', 'a')).toThrow(/not modelled/);
  });
});

describe('evaluateTrustPolicy', () => {
  const issuer = `https://${host}`;
  const claims = {
    sub: 'repo:acme/x:pull_request',
    aud: 'sts.amazonaws.com',
    job_workflow_ref: 'acme/x/w.yml@refs/heads/main',
  };

  it('ANDs the keys of a condition', () => {
    const p = policy({
      StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com', [`${host}:sub`]: ['repo:acme/x:pull_request'] },
    });
    expect(evaluateTrustPolicy(p, issuer, claims).allowed).toBe(true);
    expect(evaluateTrustPolicy(p, issuer, { ...claims, aud: 'other' }).allowed).toBe(false);
  });

  it('a ForAllValues condition on a claim the token lacks lets the token through (why the modules never use it)', () => {
    const p = policy({ 'ForAllValues:StringEquals': { [`${host}:sub`]: ['repo:acme/x:environment:prod'] } });
    expect(evaluateTrustPolicy(p, issuer, { aud: 'sts.amazonaws.com' }).allowed).toBe(true);
  });

  it('only aud and sub are condition keys of an OIDC provider: a job_workflow_ref condition never matches', () => {
    const p = policy({ StringEquals: { [`${host}:job_workflow_ref`]: 'acme/x/w.yml@refs/heads/main' } });
    expect(evaluateTrustPolicy(p, issuer, claims).allowed).toBe(false);
  });

  it('an explicit Deny wins, and another provider is not trusted', () => {
    const p = policy({ StringEquals: { [`${host}:sub`]: 'repo:acme/x:pull_request' } });
    const statements = Array.isArray(p.Statement) ? p.Statement : [p.Statement];
    expect(
      evaluateTrustPolicy(
        { ...p, Statement: [...statements, { ...statements[0]!, Effect: 'Deny' }] },
        issuer,
        claims,
      ),
    ).toEqual({
      allowed: false,
      reason: 'explicit deny',
    });
    expect(evaluateTrustPolicy(p, 'https://ghes.example.com/_services/token', claims).allowed).toBe(false);
  });
});
