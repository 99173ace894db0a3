// The quickstart module: a table of people and two reducers.
import { Table, ReducerContext, log } from "../../sdk/assembly";

@table("person") @publicTable
class Person {
  name: string = "";
}

const people = new Table<Person>("person");

/** Adds a person. */
@reducer
export function add(ctx: ReducerContext, name: string): string | null {
  if (name.length == 0) return "name must not be empty";
  const p = new Person();
  p.name = name;
  people.insert(p);
  return null;
}

/** Greets everyone in the module log. */
@reducer
export function say_hello(ctx: ReducerContext): void {
  const all = people.iter();
  for (let i = 0; i < all.length; i++) log.info("Hello, " + all[i].name + "!");
  log.info("Hello, World!");
}
