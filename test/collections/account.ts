// The class of the shared-object tests: an account whose methods keep `balance ≥ 0`. Imported by
// the test and by its workers, each of which registers it (code is never stored in the heap).
import { atomically } from '../../src/index.js';

export class Account {
  owner: string;
  balance: number;

  constructor(owner: string, balance: number) {
    this.owner = owner;
    this.balance = balance;
  }

  deposit(amount: number): void {
    if (!(amount > 0)) throw new RangeError(`deposit of ${String(amount)}`);
    this.balance += amount;
  }

  /** False (nothing taken) if the balance is short. */
  withdraw(amount: number): boolean {
    if (!(amount > 0)) throw new RangeError(`withdrawal of ${String(amount)}`);
    if (amount > this.balance) return false;
    this.balance -= amount;
    return true;
  }

  /** Moves `amount` to `to`, atomically: both or neither. False if the balance is short. */
  transfer(to: Account, amount: number): boolean {
    return atomically(() => {
      if (!this.withdraw(amount)) return false;
      to.deposit(amount);
      return true;
    });
  }
}
