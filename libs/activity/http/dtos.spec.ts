import { validationPipe } from '../../platform/http/validation';
import { ApiError } from '../../platform/http/problem';
import { RecordActivityDto } from './dtos';

const pipe = validationPipe();
const validate = (body: unknown) => pipe.transform(body, { type: 'body', metatype: RecordActivityDto, data: '' });

/** The fields named by the errors, each once. */
async function fields(body: unknown): Promise<string[]> {
  try {
    await validate(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('validation_failed');
    return [...new Set((error as ApiError).errors!.map((e) => e.field))];
  }
  return [];
}

describe('RecordActivityDto', () => {
  it('accepts items with every optional field, and 1000 of them', async () => {
    const item = { type: 'asset_imported', id: 'x', occurredAt: '2026-01-01T10:00:00+01:00', subject: 's', actorId: 'mia' };
    const dto = await validate({ items: [item, { type: 'audit_run' }] });
    expect(dto).toBeInstanceOf(RecordActivityDto);
    expect(dto.items).toEqual([item, { type: 'audit_run' }]);
    expect(await fields({ items: Array.from({ length: 1000 }, () => ({ type: 'audit_run' })) })).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ['no body', undefined, ['items']],
    ['items missing', {}, ['items']],
    ['items not an array', { items: { type: 'audit_run' } }, ['items']],
    ['no items', { items: [] }, ['items']],
    ['1001 items', { items: Array.from({ length: 1001 }, () => ({ type: 'audit_run' })) }, ['items']],
    ['an unknown field at the top', { items: [{ type: 'audit_run' }], extra: 1 }, ['extra']],
    ['an unknown field in an item', { items: [{ type: 'audit_run', actor: 'mia' }] }, ['items.0.actor']],
    ['an item that is not an object', { items: [{ type: 'audit_run' }, 'audit_run'] }, ['items.1']],
    ['an unknown type', { items: [{ type: 'audit_run' }, { type: 'deleted' }] }, ['items.1.type']],
    ['no type', { items: [{}] }, ['items.0.type']],
    ['an empty id', { items: [{ type: 'audit_run', id: '' }] }, ['items.0.id']],
    ['a numeric id', { items: [{ type: 'audit_run', id: 5 }] }, ['items.0.id']],
    ['a null id', { items: [{ type: 'audit_run', id: null }] }, ['items.0.id']],
    ['a long id', { items: [{ type: 'audit_run', id: 'x'.repeat(201) }] }, ['items.0.id']],
    ['occurredAt without zone', { items: [{ type: 'audit_run', occurredAt: '2026-01-01T10:00:00' }] }, ['items.0.occurredAt']],
    ['a long subject', { items: [{ type: 'audit_run', subject: 'x'.repeat(501) }] }, ['items.0.subject']],
    ['an empty actorId', { items: [{ type: 'audit_run', actorId: '' }] }, ['items.0.actorId']],
  ])('refuses %s', async (_, body, expected) => {
    expect(await fields(body)).toEqual(expected);
  });
});
