// What is known about each IDX dataset: file names, classes, and where the official copies live.

export interface RemoteFile {
  /** File name on the mirrors and in the cache folder. */
  name: string;
  /** Digest of the file as served (the .gz), published by the dataset authors. */
  md5?: string;
  sha256?: string;
  /** sha256 of the decompressed IDX bytes: holds for any re-compression of the same data. */
  contentSha256?: string;
}

export interface IdxDatasetSpec {
  name: 'mnist' | 'fashion-mnist';
  numClasses: number;
  classNames: readonly string[];
  mirrors: readonly string[];
  files: {
    train: { images: RemoteFile; labels: RemoteFile };
    test: { images: RemoteFile; labels: RemoteFile };
  };
}

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

// md5 values: as published with the dataset. contentSha256: computed from the uncompressed files
// of Debian's dataset-fashion-mnist, whose .gz files are re-compressed (so their md5 differs).
export const FASHION_MNIST: IdxDatasetSpec = {
  name: 'fashion-mnist',
  numClasses: 10,
  classNames: FASHION_MNIST_CLASSES,
  mirrors: [
    'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  ],
  files: {
    train: {
      images: { name: 'train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', contentSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
      labels: { name: 'train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe', contentSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
    },
    test: {
      images: { name: 't10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79', contentSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
      labels: { name: 't10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310', contentSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
    },
  },
};

export const MNIST: IdxDatasetSpec = {
  name: 'mnist',
  numClasses: 10,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
  files: {
    train: {
      images: { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
      labels: { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
    },
    test: {
      images: { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
      labels: { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
    },
  },
};

export function idxSpec(name: 'mnist' | 'fashion-mnist'): IdxDatasetSpec {
  return name === 'mnist' ? MNIST : FASHION_MNIST;
}
