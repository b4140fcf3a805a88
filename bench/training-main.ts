import { benchTraining } from './training.js';

console.log(JSON.stringify(await benchTraining(), null, 2));
