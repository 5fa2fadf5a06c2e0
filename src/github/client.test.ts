import { describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.ts';
import { createGitHubClient, graphqlUrlFor } from './client.ts';

describe('createGitHubClient', () => {
  it('derives the GraphQL endpoint for github.com and for GitHub Enterprise Server', () => {
    expect(graphqlUrlFor('https://api.github.com')).toBe('https://api.github.com/graphql');
    expect(graphqlUrlFor('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/graphql');
    const c = createGitHubClient({ token: 't', apiUrl: 'https://ghe.example.com/api/v3' });
    expect(c.graphqlUrl).toBe('https://ghe.example.com/api/graphql');
    expect(c.apiUrl).toBe('https://ghe.example.com/api/v3');
  });

  it('refuses to start without a token and says where one comes from', () => {
    expect(() => createGitHubClient({ token: '' })).toThrow(UsageError);
    expect(() => createGitHubClient({ token: '' })).toThrow(/github-token/);
  });
});
