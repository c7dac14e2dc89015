// Prints the PIN record a managed policy can carry (PBKDF2-SHA256, 600 000 iterations, random
// salt), so an administrator never puts the PIN itself in a policy file.
// Usage: node scripts/pin-record.mjs 123456
import { hashPin, validPin } from '../extension/background/pin.js';

const pin = process.argv[2] ?? '';
if (!validPin(pin)) {
  console.error('usage: node scripts/pin-record.mjs PIN   (4 to 12 digits)');
  process.exit(2);
}
console.log(JSON.stringify(await hashPin(pin), null, 2));
