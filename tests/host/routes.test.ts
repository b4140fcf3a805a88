import { describe, expect, it } from 'vitest';
import { byPrecedence, compileRoute } from '../../src/platform/host/index.js';

describe('route templates', () => {
  it('matches parameters case-insensitively on literals and decodes values', () => {
    const route = compileRoute('models/{useCase}/promote');
    expect(route.match('/models/late_payment/promote')).toEqual({ useCase: 'late_payment' });
    expect(route.match('/MODELS/a%20b/Promote/')).toEqual({ useCase: 'a b' });
    expect(route.match('/models/x')).toBeUndefined();
  });

  it('supports optional parameters, defaults, catch-alls and mixed segments', () => {
    expect(compileRoute('files/{name?}').match('/files')).toEqual({});
    expect(compileRoute('files/{name?}').match('/files/a')).toEqual({ name: 'a' });
    expect(compileRoute('pages/{page=1}').match('/pages')).toEqual({ page: '1' });
    expect(compileRoute('docs/{*path}').match('/docs/a/b%2Fc')).toEqual({ path: 'a/b/c' });
    expect(compileRoute('{name}.{ext}').match('/report.html')).toEqual({ name: 'report', ext: 'html' });
  });

  it('checks constraints', () => {
    const route = compileRoute('items/{id:int:min(1)}/{code:alpha:length(2)}');
    expect(route.match('/items/42/ab')).toEqual({ id: '42', code: 'ab' });
    expect(route.match('/items/0/ab')).toBeUndefined();
    expect(route.match('/items/x/ab')).toBeUndefined();
    expect(route.match('/items/1/abc')).toBeUndefined();
    expect(compileRoute('r/{v:regex(^v\\d+$)}').match('/r/v2')).toEqual({ v: 'v2' });
    expect(compileRoute('g/{id:guid}').match('/g/not-a-guid')).toBeUndefined();
  });

  it('rejects unknown constraints and misplaced optional parameters at start', () => {
    expect(() => compileRoute('a/{x:nonsense}')).toThrow(/unsupported constraint/);
    expect(() => compileRoute('a/{x?}/b')).toThrow(/last segment/);
  });

  it('orders literal routes before parameters', () => {
    const routes = ['files/{*rest}', 'files/{name}', 'files/latest', 'files/{id:int}'].map(compileRoute);
    expect(routes.sort(byPrecedence).map((r) => r.template)).toEqual([
      'files/latest',
      'files/{id:int}',
      'files/{name}',
      'files/{*rest}',
    ]);
  });
});
