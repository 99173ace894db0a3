/**
 * @module
 * A hand-written recursive-descent parser for wasmbase's SQL dialect (see README.md in this
 * folder). Every error names what was expected and where (`expected FROM at 1:15`); nesting is
 * limited so hostile input cannot overflow the stack.
 */
import { WasmbaseError } from '../protocol/index.js';
import type {
  ColumnRef,
  CompareOp,
  Delete,
  Expr,
  Insert,
  Join,
  Literal,
  OrderItem,
  Select,
  SelectItem,
  Statement,
  TableRef,
  Update,
} from './sql-ast.js';
import { sqlError, tokenize, type Position, type Token } from './sql-lexer.js';

/** Deepest nesting of parentheses and NOT accepted. */
export const MAX_SQL_DEPTH = 128;
/** Most AND/OR operators in one expression (keeps every later tree walk shallow). */
export const MAX_SQL_TERMS = 1024;
/** Longest SQL text parsed here (the HTTP layer has its own, configurable limit). */
export const MAX_SQL_CHARS = 16 * 1024 * 1024;

const COMPARE: Readonly<Record<string, CompareOp>> = {
  '=': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the query';
    case 'string':
      return `string '${t.text.slice(0, 20)}'`;
    case 'keyword':
      return t.text;
    default:
      return `"${t.text.slice(0, 30)}"`;
  }
}

class Parser {
  #tokens: Token[];
  #i = 0;
  #depth = 0;
  #terms = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #peek(): Token {
    return this.#tokens[this.#i]!;
  }

  #next(): Token {
    const t = this.#tokens[this.#i]!;
    if (t.kind !== 'end') this.#i++;
    return t;
  }

  #fail(expected: string): never {
    throw sqlError(`expected ${expected}, found ${describe(this.#peek)}`, this.#peek.pos);
  }

  #atEnd(): boolean {
    return this.#tokens[this.#i]!.kind === 'end';
  }

  #isKeyword(word: string): boolean {
    return this.#peek.kind === 'keyword' && this.#peek.text === word;
  }

  #isSymbol(s: string): boolean {
    return this.#peek.kind === 'symbol' && this.#peek.text === s;
  }

  #acceptKeyword(word: string): boolean {
    if (!this.#isKeyword(word)) return false;
    this.#next();
    return true;
  }

  #acceptSymbol(s: string): boolean {
    if (!this.#isSymbol(s)) return false;
    this.#next();
    return true;
  }

  #keyword(word: string): Token {
    if (!this.#isKeyword(word)) this.#fail(word);
    return this.#next();
  }

  #symbol(s: string): Token {
    if (!this.#isSymbol(s)) this.#fail(`"${s}"`);
    return this.#next();
  }

  #name(what: string): { name: string; pos: Position } {
    const t = this.#peek;
    if (t.kind === 'ident' || t.kind === 'quoted') {
      this.#next();
      return { name: t.text, pos: t.pos };
    }
    if (t.kind === 'keyword')
      throw sqlError(
        `expected ${what}, found the keyword ${t.text} ` +
          `(quote it as "${t.text.toLowerCase()}" to use it as a name)`,
        t.pos,
      );
    return this.#fail(what);
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      while (this.#acceptSymbol(';'));
      if (this.#peek.kind === 'end') return out;
      this.#terms = 0;
      out.push(freezeTree(this.#statement()));
      if (!this.#atEnd() && !this.#isSymbol(';')) this.#fail('";" or the end of the query');
    }
  }

  #statement(): Statement {
    if (this.#isKeyword('SELECT')) return this.#select();
    if (this.#isKeyword('INSERT')) return this.#insert();
    if (this.#isKeyword('UPDATE')) return this.#update();
    if (this.#isKeyword('DELETE')) return this.#delete();
    return this.#fail('SELECT, INSERT, UPDATE or DELETE');
  }

  #tableRef(): TableRef {
    const { name, pos } = this.#name('a table name');
    let alias: string | undefined;
    if (this.#acceptKeyword('AS')) alias = this.#name('an alias').name;
    else if (this.#peek.kind === 'ident' || this.#peek.kind === 'quoted')
      alias = this.#name('an alias').name;
    return { table: name, alias, pos };
  }

  #column(): ColumnRef {
    const first = this.#name('a column name');
    if (this.#acceptSymbol('.')) {
      const second = this.#name('a column name');
      return { kind: 'Column', table: first.name, name: second.name, pos: first.pos };
    }
    return { kind: 'Column', table: undefined, name: first.name, pos: first.pos };
  }

  #selectItem(): SelectItem {
    const t = this.#peek;
    if (this.#acceptSymbol('*')) return { kind: 'Star', pos: t.pos };
    if (this.#acceptKeyword('COUNT')) {
      this.#symbol('(');
      this.#symbol('*');
      this.#symbol(')');
      if (!this.#acceptKeyword('AS')) this.#fail('AS and a name for COUNT(*)');
      return { kind: 'Count', alias: this.#name('a name for COUNT(*)').name, pos: t.pos };
    }
    if (
      (t.kind === 'ident' || t.kind === 'quoted') &&
      this.#tokens[this.#i + 1]?.text === '.' &&
      this.#tokens[this.#i + 2]?.text === '*'
    ) {
      this.#next();
      this.#next();
      this.#next();
      return { kind: 'TableStar', table: t.text, pos: t.pos };
    }
    const column = this.#column();
    let alias: string | undefined;
    if (this.#acceptKeyword('AS')) alias = this.#name('an alias').name;
    return { kind: 'Column', column, alias };
  }

  #select(): Select {
    const pos = this.#keyword('SELECT').pos;
    const items: SelectItem[] = [this.#selectItem()];
    while (this.#acceptSymbol(',')) items.push(this.#selectItem());
    this.#keyword('FROM');
    const from = this.#tableRef();
    const joins: Join[] = [];
    for (;;) {
      if (this.#acceptKeyword('INNER')) this.#keyword('JOIN');
      else if (!this.#acceptKeyword('JOIN')) break;
      const table = this.#tableRef();
      this.#keyword('ON');
      joins.push({ table, on: this.#expr() });
    }
    const where = this.#acceptKeyword('WHERE') ? this.#expr() : undefined;
    const orderBy: OrderItem[] = [];
    if (this.#acceptKeyword('ORDER')) {
      this.#keyword('BY');
      do {
        const column = this.#column();
        const descending = this.#acceptKeyword('DESC') ? true : (this.#acceptKeyword('ASC'), false);
        orderBy.push({ column, descending });
      } while (this.#acceptSymbol(','));
    }
    let limit: bigint | undefined;
    let offset: bigint | undefined;
    if (this.#acceptKeyword('LIMIT')) {
      limit = this.#count('a row count after LIMIT');
      if (this.#acceptKeyword('OFFSET')) offset = this.#count('a row count after OFFSET');
    }
    return { kind: 'Select', items, from, joins, where, orderBy, limit, offset, pos };
  }

  #count(what: string): bigint {
    const t = this.#peek;
    if (t.kind !== 'integer' || t.text.includes('e') || t.text.includes('E')) this.#fail(what);
    this.#next();
    return BigInt(t.text);
  }

  #insert(): Insert {
    const pos = this.#keyword('INSERT').pos;
    this.#keyword('INTO');
    const table = this.#tableRef();
    let columns: { name: string; pos: Position }[] | undefined;
    if (this.#acceptSymbol('(')) {
      columns = [this.#name('a column name')];
      while (this.#acceptSymbol(',')) columns.push(this.#name('a column name'));
      this.#symbol(')');
    }
    this.#keyword('VALUES');
    const rows: Literal[][] = [];
    do {
      this.#symbol('(');
      const row: Literal[] = [this.#literal()];
      while (this.#acceptSymbol(',')) row.push(this.#literal());
      this.#symbol(')');
      rows.push(row);
    } while (this.#acceptSymbol(','));
    return { kind: 'Insert', table, columns, rows, pos };
  }

  #update(): Update {
    const pos = this.#keyword('UPDATE').pos;
    const table = this.#tableRef();
    this.#keyword('SET');
    const set: { column: ColumnRef; value: Literal }[] = [];
    do {
      const column = this.#column();
      this.#symbol('=');
      set.push({ column, value: this.#literal() });
    } while (this.#acceptSymbol(','));
    const where = this.#acceptKeyword('WHERE') ? this.#expr() : undefined;
    return { kind: 'Update', table, set, where, pos };
  }

  #delete(): Delete {
    const pos = this.#keyword('DELETE').pos;
    this.#keyword('FROM');
    const table = this.#tableRef();
    const where = this.#acceptKeyword('WHERE') ? this.#expr() : undefined;
    return { kind: 'Delete', table, where, pos };
  }

  #literal(): Literal {
    const t = this.#peek;
    switch (t.kind) {
      case 'integer':
      case 'float':
      case 'string':
      case 'hex':
        this.#next();
        return { kind: 'Literal', type: t.kind, text: t.text, pos: t.pos };
      case 'keyword':
        if (t.text === 'TRUE' || t.text === 'FALSE') {
          this.#next();
          return { kind: 'Literal', type: 'bool', text: t.text.toLowerCase(), pos: t.pos };
        }
        if (t.text === 'NULL') {
          this.#next();
          return { kind: 'Literal', type: 'null', text: 'null', pos: t.pos };
        }
        break;
      case 'symbol': {
        const n = this.#tokens[this.#i + 1];
        if (t.text === '-' && (n?.kind === 'integer' || n?.kind === 'float')) {
          this.#next();
          this.#next();
          return { kind: 'Literal', type: n.kind, text: '-' + n.text, pos: t.pos };
        }
        break;
      }
      default:
        break;
    }
    return this.#fail('a literal value');
  }

  #enter(pos: Position): void {
    if (++this.#depth > MAX_SQL_DEPTH)
      throw sqlError(`expression nested deeper than ${MAX_SQL_DEPTH} levels`, pos);
  }

  #term(pos: Position): void {
    if (++this.#terms > MAX_SQL_TERMS)
      throw sqlError(`expression has more than ${MAX_SQL_TERMS} AND/OR operators`, pos);
  }

  #expr(): Expr {
    let left = this.#and();
    while (this.#isKeyword('OR')) {
      const pos = this.#next().pos;
      this.#term(pos);
      left = { kind: 'Or', left, right: this.#and(), pos };
    }
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.#isKeyword('AND')) {
      const pos = this.#next().pos;
      this.#term(pos);
      left = { kind: 'And', left, right: this.#not(), pos };
    }
    return left;
  }

  #not(): Expr {
    if (this.#isKeyword('NOT')) {
      const pos = this.#next().pos;
      this.#enter(pos);
      const expr = this.#not();
      this.#depth--;
      return { kind: 'Not', expr, pos };
    }
    return this.#predicate();
  }

  #predicate(): Expr {
    const left = this.#operand();
    const t = this.#peek;
    if (t.kind === 'symbol' && COMPARE[t.text] !== undefined) {
      this.#next();
      return { kind: 'Compare', op: COMPARE[t.text]!, left, right: this.#operand(), pos: t.pos };
    }
    if (this.#isKeyword('IS')) {
      this.#next();
      const negated = this.#acceptKeyword('NOT');
      this.#keyword('NULL');
      return { kind: 'IsNull', expr: left, negated, pos: t.pos };
    }
    return left;
  }

  #operand(): Expr {
    const t = this.#peek;
    if (this.#acceptSymbol('(')) {
      this.#enter(t.pos);
      const inner = this.#expr();
      this.#depth--;
      this.#symbol(')');
      return inner;
    }
    if (t.kind === 'ident' || t.kind === 'quoted') return this.#column();
    return this.#literal();
  }
}

/** Deep-freezes a syntax tree without recursion (trees can be deep). */
function freezeTree<T extends object>(root: T): T {
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Object.isFrozen(node)) continue;
    Object.freeze(node);
    for (const v of Object.values(node))
      if (typeof v === 'object' && v !== null) stack.push(v as object);
  }
  return root;
}

/** Parses one or more `;`-separated statements. Throws SQL_SYNTAX with a position. */
export function parseSql(text: string): Statement[] {
  if (text.length > MAX_SQL_CHARS)
    throw new WasmbaseError(
      'LIMIT_EXCEEDED',
      `SQL text is longer than ${MAX_SQL_CHARS} characters`,
      { limit: MAX_SQL_CHARS },
    );
  const statements = new Parser(tokenize(text)).statements();
  if (statements.length === 0)
    throw new WasmbaseError('SQL_SYNTAX', 'the query is empty', { line: 1, column: 1 });
  return statements;
}
