import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeyValueList, type KeyValueProblem } from '../../agent/key-value-list';

test('key=value lists: trimmed, values percent-decoded, empty entries ignored', () => {
  const problems: KeyValueProblem[] = [];
  const entries = parseKeyValueList(' a = 1 ,, b=x%20y,c=', (p) => problems.push(p));
  assert.deepEqual(entries, [
    ['a', '1'],
    ['b', 'x y'],
    ['c', ''],
  ]);
  assert.deepEqual(problems, []);
});

test('key=value lists: every malformed entry is reported, none dropped silently', () => {
  const problems: KeyValueProblem[] = [];
  const entries = parseKeyValueList('novalue,=x,k=%zz', (p) => problems.push(p));
  assert.deepEqual(entries, [['k', '%zz']]);
  assert.deepEqual(problems, [
    { entry: 'novalue', reason: 'no-key' },
    { entry: '=x', reason: 'no-key' },
    { entry: 'k=%zz', reason: 'bad-encoding', key: 'k' },
  ]);
});
